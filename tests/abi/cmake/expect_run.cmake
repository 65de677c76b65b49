# Runs a command and checks its exit code, output and (optionally) a load-marker file.
#   cmake -DBIN=<exe> -DARGS=a|b|c -DEXIT=<n> [-DSTDOUT=<regex>] [-DSTDERR=<regex>]
#         [-DMARKER=<file> -DMARKER_EXPECT=absent|present [-DMARKER_MATCH=<regex>]]
#         -P expect_run.cmake
# ARGS is '|'-separated because ';' would be split by add_test. When MARKER is given it is removed
# first and exported as SB_ABI_TEST_MARKER, which the malformed fixtures' constructor writes to.
cmake_minimum_required(VERSION 3.25)

string(REPLACE "|" ";" args "${ARGS}")
if(MARKER)
  file(REMOVE ${MARKER})
  set(ENV{SB_ABI_TEST_MARKER} ${MARKER})
endif()
execute_process(COMMAND ${BIN} ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                TIMEOUT 20)
set(problems "")
if(NOT rc STREQUAL "${EXIT}")
  string(APPEND problems "\n  exit status ${rc}, expected ${EXIT}")
endif()
if(DEFINED STDOUT AND NOT out MATCHES "${STDOUT}")
  string(APPEND problems "\n  stdout does not match '${STDOUT}'")
endif()
if(DEFINED STDERR AND NOT err MATCHES "${STDERR}")
  string(APPEND problems "\n  stderr does not match '${STDERR}'")
endif()
if(MARKER)
  if(MARKER_EXPECT STREQUAL "absent" AND EXISTS ${MARKER})
    file(READ ${MARKER} marker_text)
    string(APPEND problems "\n  plugin code ran (marker file says: ${marker_text})")
  elseif(MARKER_EXPECT STREQUAL "present" AND NOT EXISTS ${MARKER})
    string(APPEND problems "\n  marker file missing although the plugin was loaded")
  elseif(MARKER_EXPECT STREQUAL "present" AND DEFINED MARKER_MATCH)
    file(READ ${MARKER} marker_text)
    if(NOT marker_text MATCHES "${MARKER_MATCH}")
      string(APPEND problems "\n  marker file says '${marker_text}', expected '${MARKER_MATCH}'")
    endif()
  endif()
  file(REMOVE ${MARKER})
endif()
if(problems)
  message(FATAL_ERROR "${BIN} ${args}:${problems}\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
endif()
