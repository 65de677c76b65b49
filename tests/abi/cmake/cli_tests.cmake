# `switchboard plugins inspect` on the ABI fixtures: facts and exit 0 for good plugins; exit 2 and
# "error: <LoadErrorKind>: <message>" for bad ones, running no plugin code beyond the entry function.
# Included from tests/abi/CMakeLists.txt only when the switchboard target exists.

set(_sb_abi_marker_dir ${CMAKE_CURRENT_BINARY_DIR}/markers)

function(_sb_abi_cli_test name)
  cmake_parse_arguments(C "" "PATH;EXIT;STDOUT;STDERR;MARKER_EXPECT;MARKER_MATCH;FLAGS" "" ${ARGN})
  set(cmd_args "plugins|inspect|${C_PATH}")
  if(C_FLAGS)
    set(cmd_args "${cmd_args}|${C_FLAGS}")
  endif()
  set(extra "")
  if(DEFINED C_STDOUT)
    list(APPEND extra "-DSTDOUT=${C_STDOUT}")
  endif()
  if(DEFINED C_STDERR)
    list(APPEND extra "-DSTDERR=${C_STDERR}")
  endif()
  if(C_MARKER_EXPECT)
    list(APPEND extra "-DMARKER=${_sb_abi_marker_dir}/${name}" "-DMARKER_EXPECT=${C_MARKER_EXPECT}")
  endif()
  if(DEFINED C_MARKER_MATCH)
    list(APPEND extra "-DMARKER_MATCH=${C_MARKER_MATCH}")
  endif()
  add_test(NAME abi.cli.${name}
           COMMAND ${CMAKE_COMMAND} -DBIN=$<TARGET_FILE:switchboard> "-DARGS=${cmd_args}"
                   -DEXIT=${C_EXIT} ${extra} -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/expect_run.cmake)
  set_tests_properties(abi.cli.${name} PROPERTIES LABELS abi)
endfunction()

file(MAKE_DIRECTORY ${_sb_abi_marker_dir})

foreach(name IN LISTS SB_ABI_GOOD_FIXTURES)
  _sb_abi_cli_test(good_${name} PATH ${SB_ABI_FIXTURE_DIR}/${name}/manifest.json EXIT 0
                   STDOUT "(^|\n)id: +${name}\n(.*\n)?status: +ok")
endforeach()
# The same facts whichever PATH form is given, and as JSON.
_sb_abi_cli_test(good_by_library PATH ${SB_ABI_FIXTURE_DIR}/check_c/check_c.so EXIT 0
                 STDOUT "(^|\n)id: +check_c\n(.*\n)?status: +ok")
_sb_abi_cli_test(good_by_dir PATH ${SB_ABI_FIXTURE_DIR}/check_c EXIT 0 STDOUT "(^|\n)id: +check_c\n(.*\n)?status: +ok")
_sb_abi_cli_test(good_json PATH ${SB_ABI_FIXTURE_DIR}/check_c/manifest.json FLAGS --json EXIT 0
                 STDOUT "\"id\": *\"check_c\"")
# Positive control: inspecting a loadable fixture runs its constructor and entry function, and
# nothing else (the fixtures' init writes to the marker too).
_sb_abi_cli_test(marker_control PATH ${SB_ABI_FIXTURE_DIR}/malformed_control/manifest.json EXIT 0
                 MARKER_EXPECT present
                 MARKER_MATCH "^malformed_control constructor\nmalformed_control entry_v1\n$")
# So a plugin whose init would fail still inspects fine: inspect never calls init.
_sb_abi_cli_test(inspect_never_inits PATH ${SB_ABI_FIXTURE_DIR}/init_fails/manifest.json EXIT 0
                 STDOUT "status: +ok" MARKER_EXPECT present
                 MARKER_MATCH "^init_fails constructor\ninit_fails entry_v1\n$")

foreach(pair IN ITEMS newer_major=AbiMajorMismatch lying_v2=EntryMissing no_entry=EntryMissing
                      entry_major_2=EntryInvalid small_struct=EntryInvalid null_send=EntryInvalid
                      id_mismatch=EntryInvalid minor_99=AbiMinorTooNew
                      minor_99_entry=AbiMinorTooNew bad_json=ManifestInvalid
                      missing_field=ManifestInvalid library_missing=ManifestInvalid)
  string(REPLACE "=" ";" pair ${pair})
  list(GET pair 0 fixture)
  list(GET pair 1 kind)
  set(marker "")
  if(fixture STREQUAL "newer_major")
    set(marker MARKER_EXPECT absent)
  endif()
  _sb_abi_cli_test(refuses_${fixture} PATH ${SB_ABI_FIXTURE_DIR}/${fixture}/manifest.json EXIT 2
                   STDERR "^error: ${kind}: .*${fixture}" ${marker})
endforeach()
# The newer-major library handed over directly (no manifest in the way of the PATH given).
_sb_abi_cli_test(refuses_newer_major_by_library PATH ${SB_ABI_FIXTURE_DIR}/newer_major/newer_major.so
                 EXIT 2 STDERR "^error: AbiMajorMismatch: " MARKER_EXPECT absent)
