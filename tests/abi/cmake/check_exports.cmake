# Export hygiene: every plugin this build ships exports nothing but sb_plugin_entry_v<N>.
#   cmake -DNM=nm -DLIBS="a.so;b.so" [-DPLUGIN_GLOB=<dir>/*/*.so] [-DREADELF=readelf
#         -DPURE_C_LIB=c.so] -P check_exports.cmake
# LIBS must all exist; PLUGIN_GLOB adds whatever plugins the build produced (plugins/echo, ...).
#
# Allowance: none, measured on this toolchain (Debian 12, binutils 2.40, gcc 12, clang 14): with the
# anonymous version script `global: sb_plugin_entry_v*; local: *;` .dynsym holds no _init/_fini,
# no __bss_start/_edata/_end and no version-node ("A") symbol (those appear with a named version
# node), and the weak (W) libstdc++ template instantiations that leak even under -fvisibility=hidden
# are demoted to local. So any other defined dynamic symbol means a plugin leaks its internals and
# could bind to another plugin's or the host's symbols.
cmake_minimum_required(VERSION 3.25)

set(libs ${LIBS})
if(PLUGIN_GLOB)
  file(GLOB shipped ${PLUGIN_GLOB})
  list(APPEND libs ${shipped})
endif()
list(REMOVE_DUPLICATES libs)
if(NOT libs)
  message(FATAL_ERROR "no plugin libraries to check")
endif()

set(failures "")
foreach(lib IN LISTS libs)
  if(NOT EXISTS ${lib})
    string(APPEND failures "\n  ${lib}: missing (not built?)")
    continue()
  endif()
  execute_process(COMMAND ${NM} -D --defined-only ${lib}
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(APPEND failures "\n  ${lib}: nm failed: ${err}")
    continue()
  endif()
  string(REPLACE "\n" ";" lines "${out}")
  set(entries 0)
  foreach(line IN LISTS lines)
    if(line STREQUAL "")
      continue()
    endif()
    # "<address> <type> <name>"; "A" symbols have an address of zeros, so the shape is the same.
    if(line MATCHES "^[0-9a-fA-F]* *([A-Za-z]) (.+)$")
      set(type ${CMAKE_MATCH_1})
      set(name ${CMAKE_MATCH_2})
      if(type STREQUAL "T" AND name MATCHES "^sb_plugin_entry_v[0-9]+$")
        math(EXPR entries "${entries} + 1")
        continue()
      endif()
    endif()
    string(APPEND failures "\n  ${lib}: exports '${line}'")
  endforeach()
  if(entries EQUAL 0)
    string(APPEND failures "\n  ${lib}: exports no sb_plugin_entry_v<N> function")
  endif()
  message(STATUS "checked ${lib}: ${entries} entry symbol(s)")
endforeach()

# The pure C fixture must really be C: linked without the C++ runtime.
if(PURE_C_LIB AND READELF)
  execute_process(COMMAND ${READELF} -d ${PURE_C_LIB} OUTPUT_VARIABLE dyn RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR dyn MATCHES "libstdc\\+\\+|libc\\+\\+")
    string(APPEND failures "\n  ${PURE_C_LIB}: depends on a C++ runtime (or readelf failed)")
  endif()
endif()

if(failures)
  message(FATAL_ERROR "export hygiene violations:${failures}")
endif()
list(LENGTH libs n)
message(STATUS "${n} plugin(s) export only sb_plugin_entry_v<N>")
