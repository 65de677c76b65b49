# sb_add_plugin(<target> SOURCES <src>... ID <id> VERSION <v> KIND <kind>
#               [DESCRIPTION <text>] [ABI_MINOR_REQUIRED <n>] [OUTPUT_DIRECTORY <dir>])
#
# Builds a Switchboard channel plugin: a MODULE library named <target>.so (no "lib" prefix: it is
# dlopen()ed by path, never linked), with hidden visibility, a version script that exports only
# sb_plugin_entry_v*, and the sidecar manifest.json the host reads before loading anything.
# Default OUTPUT_DIRECTORY: ${CMAKE_BINARY_DIR}/plugins/<id>, i.e. one plugin per directory.
# The same values reach the code as SB_PLUGIN_ID, SB_PLUGIN_VERSION, SB_PLUGIN_KIND,
# SB_PLUGIN_DESCRIPTION (string literals) and SB_PLUGIN_ABI_MINOR_REQUIRED, so SB_PLUGIN(...) and
# the manifest cannot disagree. Works for C-only and C++ plugins.
include_guard(GLOBAL)
if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "sb_add_plugin() needs CMake 3.20 or newer (file(GENERATE ... TARGET))")
endif()

function(_sb_plugin_json_escape out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

function(sb_add_plugin target)
  cmake_parse_arguments(P "" "ID;VERSION;KIND;DESCRIPTION;ABI_MINOR_REQUIRED;OUTPUT_DIRECTORY"
                        "SOURCES" ${ARGN})
  if(P_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "sb_add_plugin(${target}): unknown arguments ${P_UNPARSED_ARGUMENTS}")
  endif()
  foreach(required IN ITEMS SOURCES ID VERSION KIND)
    if(NOT P_${required})
      message(FATAL_ERROR "sb_add_plugin(${target}): ${required} is required")
    endif()
  endforeach()
  if(NOT P_ID MATCHES "^[a-z0-9_-]+$")
    message(FATAL_ERROR "sb_add_plugin(${target}): ID '${P_ID}' must match [a-z0-9_-]+")
  endif()
  if(NOT P_KIND MATCHES "^[a-z0-9_-]+$")
    message(FATAL_ERROR "sb_add_plugin(${target}): KIND '${P_KIND}' must match [a-z0-9_-]+")
  endif()
  if(NOT P_VERSION MATCHES "^[0-9A-Za-z.+_-]+$")
    message(FATAL_ERROR "sb_add_plugin(${target}): VERSION '${P_VERSION}' is not a version")
  endif()
  if(NOT DEFINED P_ABI_MINOR_REQUIRED)
    set(P_ABI_MINOR_REQUIRED 0)
  endif()
  if(NOT P_ABI_MINOR_REQUIRED MATCHES "^[0-9]+$" OR P_ABI_MINOR_REQUIRED GREATER 65535)
    message(FATAL_ERROR "sb_add_plugin(${target}): ABI_MINOR_REQUIRED must be 0..65535")
  endif()
  if(P_DESCRIPTION MATCHES "[\n\r\t]" OR P_DESCRIPTION MATCHES "\\$<")
    message(FATAL_ERROR "sb_add_plugin(${target}): DESCRIPTION must be one plain line")
  endif()
  # This file's directory, wherever sb_add_plugin() is called from (a variable set at include time
  # would be visible only in the including directory's scope).
  set(_SB_PLUGIN_CMAKE_DIR ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
  if(NOT P_OUTPUT_DIRECTORY)
    set(P_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/plugins/${P_ID})
  endif()

  add_library(${target} MODULE ${P_SOURCES})
  target_link_libraries(${target} PRIVATE SwitchboardSDK::sdk)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIRECTORY}
    LINK_DEPENDS ${_SB_PLUGIN_CMAKE_DIR}/switchboard_plugin.map)
  target_link_options(${target} PRIVATE
    "LINKER:--version-script=${_SB_PLUGIN_CMAKE_DIR}/switchboard_plugin.map")
  # A plugin resolves everything itself (the host is reached only through sb_host_api), so an
  # undefined symbol is a bug to catch at link time, not at dlopen. Sanitizer runtimes are the
  # one legitimate exception: they live in the executable.
  if(NOT "${CMAKE_C_FLAGS} ${CMAKE_CXX_FLAGS} ${CMAKE_SHARED_LINKER_FLAGS}" MATCHES "-fsanitize")
    target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  endif()

  _sb_plugin_json_escape(_sb_description "${P_DESCRIPTION}")
  target_compile_definitions(${target} PRIVATE
    "SB_PLUGIN_ID=\"${P_ID}\"" "SB_PLUGIN_VERSION=\"${P_VERSION}\"" "SB_PLUGIN_KIND=\"${P_KIND}\""
    "SB_PLUGIN_DESCRIPTION=\"${_sb_description}\""
    "SB_PLUGIN_ABI_MINOR_REQUIRED=${P_ABI_MINOR_REQUIRED}")

  set(_sb_target ${target})
  set(_sb_id ${P_ID})
  set(_sb_version ${P_VERSION})
  set(_sb_kind ${P_KIND})
  set(_sb_minor ${P_ABI_MINOR_REQUIRED})
  configure_file(${_SB_PLUGIN_CMAKE_DIR}/manifest.json.in
                 ${CMAKE_CURRENT_BINARY_DIR}/${target}.manifest.json.in @ONLY)
  file(GENERATE OUTPUT ${P_OUTPUT_DIRECTORY}/manifest.json
       INPUT ${CMAKE_CURRENT_BINARY_DIR}/${target}.manifest.json.in TARGET ${target})
  set_target_properties(${target} PROPERTIES SB_PLUGIN_MANIFEST ${P_OUTPUT_DIRECTORY}/manifest.json)
endfunction()
