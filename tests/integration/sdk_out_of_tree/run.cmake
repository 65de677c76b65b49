# cmake -P run.cmake: install the SDK from the main build, build plugins against the installed
# package in separate projects, and check what came out. Every failure says what and where.
foreach(var SB_BUILD_DIR SB_WORK_DIR SB_GENERATOR SB_C_COMPILER SB_CXX_COMPILER SB_NM SB_C_PLUGIN_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "run.cmake needs -D${var}=...")
  endif()
endforeach()

set(prefix ${SB_WORK_DIR}/prefix)
file(REMOVE_RECURSE ${SB_WORK_DIR})
file(MAKE_DIRECTORY ${SB_WORK_DIR})

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

# Configure and build a project against the installed SDK only (CMAKE_PREFIX_PATH = prefix).
function(build_against_sdk name source)
  set(build ${SB_WORK_DIR}/${name}-build)
  run("configure ${name}" ${CMAKE_COMMAND} -S ${source} -B ${build} -G ${SB_GENERATOR}
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix}
      -DCMAKE_C_COMPILER=${SB_C_COMPILER} -DCMAKE_CXX_COMPILER=${SB_CXX_COMPILER}
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  run("build ${name}" ${CMAKE_COMMAND} --build ${build} -j2)
endfunction()

# A plugin directory holds the library and its manifest, and exports nothing but the entry.
function(check_plugin dir id library)
  if(NOT EXISTS ${dir}/${library})
    message(FATAL_ERROR "missing ${dir}/${library}")
  endif()
  if(NOT EXISTS ${dir}/manifest.json)
    message(FATAL_ERROR "missing ${dir}/manifest.json")
  endif()
  file(READ ${dir}/manifest.json manifest)
  foreach(field id library abi_major abi_minor_required version channel_kind description)
    string(JSON value ERROR_VARIABLE err GET "${manifest}" ${field})
    if(err)
      message(FATAL_ERROR "manifest.json of ${id}: ${err}\n${manifest}")
    endif()
    set(m_${field} "${value}")
  endforeach()
  if(NOT m_id STREQUAL id OR NOT m_library STREQUAL library OR NOT m_abi_major EQUAL 1)
    message(FATAL_ERROR "manifest.json of ${id} is wrong:\n${manifest}")
  endif()
  run("nm ${library}" ${SB_NM} -D --defined-only ${dir}/${library})
  string(REGEX MATCHALL "[^\n]+" lines "${last_output}")
  set(exported "")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^.* " "" symbol "${line}")
    list(APPEND exported ${symbol})
  endforeach()
  if(NOT exported STREQUAL "sb_plugin_entry_v1")
    message(FATAL_ERROR "${library} must export only sb_plugin_entry_v1, exports: ${exported}")
  endif()
  set(manifest_description "${m_description}" PARENT_SCOPE)
endfunction()

# 1. Install the SDK component only.
run("install the SDK" ${CMAKE_COMMAND} --install ${SB_BUILD_DIR} --prefix ${prefix} --component sdk)
foreach(f include/switchboard/abi.h include/switchboard/sdk.hpp include/switchboard/sdk/plugin.hpp
          include/switchboard/json.hpp
          include/switchboard/testing/fake_host.hpp
          lib/cmake/SwitchboardSDK/SwitchboardSDKConfig.cmake
          lib/cmake/SwitchboardSDK/SwitchboardSDKConfigVersion.cmake
          lib/cmake/SwitchboardSDK/SwitchboardSDKPlugin.cmake
          lib/cmake/SwitchboardSDK/SwitchboardSDKTargets.cmake
          lib/cmake/SwitchboardSDK/switchboard_plugin.map
          lib/cmake/SwitchboardSDK/manifest.json.in
          share/switchboard-sdk/examples/echo/CMakeLists.txt)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "the SDK install lacks ${f}")
  endif()
endforeach()
file(GLOB_RECURSE host_headers ${prefix}/include/*.h)
foreach(h IN LISTS host_headers)
  if(NOT h MATCHES "/include/switchboard/")
    message(FATAL_ERROR "the SDK install leaks a non-SDK header: ${h}")
  endif()
endforeach()

# 2. The echo example, from the installed copy, against the installed package.
build_against_sdk(echo ${prefix}/share/switchboard-sdk/examples/echo)
set(echo_dir ${SB_WORK_DIR}/echo-build/plugins/echo)
check_plugin(${echo_dir} echo echo.so)

# 3. A C-only plugin (no C++ compiler in its project); its description survives JSON escaping.
build_against_sdk(cplug ${SB_C_PLUGIN_DIR})
check_plugin(${SB_WORK_DIR}/cplug-build/plugins/cplug cplug cplug.so)
if(NOT manifest_description STREQUAL "C plugin with \"quotes\" in its description")
  message(FATAL_ERROR "description mangled in manifest.json: ${manifest_description}")
endif()

# 4. The version file: a 2.x request must not be satisfied by this 1.x SDK.
set(v2 ${SB_WORK_DIR}/wants-v2)
file(WRITE ${v2}/CMakeLists.txt
  "cmake_minimum_required(VERSION 3.20)\nproject(v2 LANGUAGES NONE)\nfind_package(SwitchboardSDK 2.0 REQUIRED)\n")
execute_process(COMMAND ${CMAKE_COMMAND} -S ${v2} -B ${v2}/build -DCMAKE_PREFIX_PATH=${prefix}
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(rc EQUAL 0)
  message(FATAL_ERROR "find_package(SwitchboardSDK 2.0) accepted the 1.x SDK")
endif()

# 5. sb_add_plugin() refuses ids the host would refuse, at configure time.
set(bad ${SB_WORK_DIR}/bad-id)
file(WRITE ${bad}/CMakeLists.txt
  "cmake_minimum_required(VERSION 3.20)\nproject(bad LANGUAGES C)\nfind_package(SwitchboardSDK 1.0 REQUIRED)\n"
  "sb_add_plugin(bad SOURCES x.c ID \"Bad Id\" VERSION 1.0.0 KIND test)\n")
file(WRITE ${bad}/x.c "int x;\n")
execute_process(COMMAND ${CMAKE_COMMAND} -S ${bad} -B ${bad}/build -DCMAKE_PREFIX_PATH=${prefix}
                -DCMAKE_C_COMPILER=${SB_C_COMPILER}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0 OR NOT out MATCHES "must match \\[a-z0-9_-\\]\\+")
  message(FATAL_ERROR "sb_add_plugin accepted the id 'Bad Id' (${rc}):\n${out}")
endif()

# 6. The host, when this build has one, loads what we built.
if(SB_SWITCHBOARD)
  if(NOT EXISTS ${SB_SWITCHBOARD})
    message(FATAL_ERROR "switchboard is part of this build but not built: ${SB_SWITCHBOARD}")
  endif()
  run("switchboard plugins inspect" ${SB_SWITCHBOARD} plugins inspect ${echo_dir})
  # Aligned columns: "id:                 echo" ... "status:             ok".
  if(NOT last_output MATCHES "(^|\n)id: +echo\n" OR NOT last_output MATCHES "(^|\n)status: +ok")
    message(FATAL_ERROR "switchboard plugins inspect did not report echo as ok:\n${last_output}")
  endif()
  message(STATUS "switchboard plugins inspect:\n${last_output}")
else()
  message(STATUS "no switchboard target in this build: host inspection skipped")
endif()
message(STATUS "SDK out-of-tree build OK")
