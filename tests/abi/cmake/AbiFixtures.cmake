# Helpers that build the ABI test fixtures into ${SB_ABI_FIXTURE_DIR}/<name>/ (library + manifest).
# Deliberately independent of sb_add_plugin(): malformed fixtures need manifests that lie and
# entries that are wrong, which the SDK's function rightly refuses to produce.
include_guard(GLOBAL)

set(SB_ABI_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/abi/fixtures)
set(SB_ABI_EXPORT_MAP ${CMAKE_CURRENT_LIST_DIR}/../fixtures/export.map)

# sb_abi_manifest(<name> [ID <id>] [LIBRARY <file>] [ABI_MAJOR <n>] [ABI_MINOR <n>] [RAW <text>])
# Writes ${SB_ABI_FIXTURE_DIR}/<name>/manifest.json; RAW replaces the whole content.
function(sb_abi_manifest name)
  cmake_parse_arguments(M "" "ID;LIBRARY;ABI_MAJOR;ABI_MINOR;RAW" "" ${ARGN})
  if(DEFINED M_RAW)
    set(content "${M_RAW}")
  else()
    foreach(pair IN ITEMS "ID;${name}" "LIBRARY;${name}.so" "ABI_MAJOR;1" "ABI_MINOR;0")
      list(GET pair 0 key)
      list(GET pair 1 fallback)
      if(NOT DEFINED M_${key})
        set(M_${key} ${fallback})
      endif()
    endforeach()
    string(CONCAT content
      "{\n"
      "  \"id\": \"${M_ID}\",\n"
      "  \"library\": \"${M_LIBRARY}\",\n"
      "  \"abi_major\": ${M_ABI_MAJOR},\n"
      "  \"abi_minor_required\": ${M_ABI_MINOR},\n"
      "  \"version\": \"1.0.0\",\n"
      "  \"channel_kind\": \"abi-test\",\n"
      "  \"description\": \"ABI test fixture ${name}\"\n"
      "}\n")
  endif()
  file(CONFIGURE OUTPUT ${SB_ABI_FIXTURE_DIR}/${name}/manifest.json CONTENT "${content}" @ONLY)
endfunction()

# sb_abi_fixture(<name> SOURCES <src>... [INCLUDE_DIR <dir>] [DEFINES <d>...]
#                [COMPILE_OPTIONS <opt>...] [MANIFEST <sb_abi_manifest args>...])
# A MODULE library <name>.so (target abi_fx_<name>) compiled with FIXTURE_ID="<name>", hidden
# visibility and the export map. INCLUDE_DIR (default sdk/include) is the only ABI header path.
function(sb_abi_fixture name)
  cmake_parse_arguments(F "" "INCLUDE_DIR" "SOURCES;DEFINES;COMPILE_OPTIONS;MANIFEST" ${ARGN})
  if(NOT F_INCLUDE_DIR)
    set(F_INCLUDE_DIR ${PROJECT_SOURCE_DIR}/sdk/include)
  endif()
  set(target abi_fx_${name})
  add_library(${target} MODULE ${F_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${name}
    LIBRARY_OUTPUT_DIRECTORY ${SB_ABI_FIXTURE_DIR}/${name}
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS ${SB_ABI_EXPORT_MAP})
  target_include_directories(${target} PRIVATE ${F_INCLUDE_DIR})
  target_compile_definitions(${target} PRIVATE "FIXTURE_ID=\"${name}\"" ${F_DEFINES})
  target_compile_options(${target} PRIVATE ${F_COMPILE_OPTIONS})
  target_link_libraries(${target} PRIVATE sb_warnings)
  target_link_options(${target} PRIVATE "LINKER:--version-script=${SB_ABI_EXPORT_MAP}")
  if(NOT "${CMAKE_C_FLAGS} ${CMAKE_CXX_FLAGS}" MATCHES "-fsanitize")
    target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  endif()
  sb_abi_manifest(${name} ${F_MANIFEST})
  set_property(GLOBAL APPEND PROPERTY SB_ABI_FIXTURE_TARGETS ${target})
endfunction()
