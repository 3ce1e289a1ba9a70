# layers_check.cmake: every #include in src/ points down the layers
# (README "How the code is organised"). The build runs it before any layer
# compiles (CMakeLists.txt, target p2k_layers_check) and ctest runs it again
# (tests/CMakeLists.txt, layers_check):
#
#   cmake -DSRC_DIR=src -DLAYER_TABLE=build/layers_table.cmake \
#         -P cmake/layers_check.cmake
#
# LAYER_TABLE is written by CMakeLists.txt from its pcap2kdb_layer() calls, so
# the rule is stated once: it sets LAYERS, the folders of src/ that are
# layers, and LAYER_MAY_USE_<folder>, the folders whose headers a file of
# <folder> may include (itself among them).
#
# Giving each layer library only the include directories it may use is not
# enough on its own: a path relative to the including file ("../app/x.h", and
# the same in angle brackets, <../app/x.h>, found through the file's own
# folder on the include path) or to a folder on the include path ("fix/fix.h"
# from modes, whose include directory is src/modes) reaches any folder. So
# each include is resolved to the file it names, as the compiler would find
# it, and that file's folder must be one the including folder may use.
#
# Also refused: a header name in two folders (a bare name would then depend
# on the include path's order), a source file outside the layer folders, a
# quoted include that names no file of src/, and an include whose name the
# check cannot read (#include MACRO). The layers cannot form a cycle:
# pcap2kdb_layer() takes only layers declared before it.
cmake_minimum_required(VERSION 3.13)

foreach(var SRC_DIR LAYER_TABLE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "layers_check: -D${var}=... is required")
  endif()
endforeach()
include(${LAYER_TABLE})
get_filename_component(src "${SRC_DIR}" ABSOLUTE)
get_filename_component(src_parent "${src}" DIRECTORY)

set(problems "")
macro(problem)
  string(CONCAT problem_text ${ARGN})
  list(APPEND problems "${problem_text}")
endmacro()

# The line number of the first line of FILE equal to LINE, for the message.
function(line_number out file line)
  file(READ "${file}" content)
  string(FIND "${content}" "${line}" at)
  string(SUBSTRING "${content}" 0 ${at} before)
  string(REGEX MATCHALL "\n" newlines "${before}")
  list(LENGTH newlines n)
  math(EXPR n "${n} + 1")
  set(${out} ${n} PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE files RELATIVE "${src}" "${src}/*.c" "${src}/*.h")
list(SORT files)

# Where each header lives, by name, and which files are in a layer.
set(checked "")
foreach(rel IN LISTS files)
  get_filename_component(folder "${rel}" DIRECTORY)
  get_filename_component(name "${rel}" NAME)
  if(folder STREQUAL "")
    problem("src/${rel}: a source file outside the layer folders")
    continue()
  endif()
  if(NOT folder IN_LIST LAYERS)
    problem("src/${rel}: src/${folder} is not a layer (CMakeLists.txt, pcap2kdb_layer)")
    continue()
  endif()
  if(name MATCHES "\\.h$")
    if(DEFINED home_${name})
      problem("${name}: in both src/${home_${name}} and src/${folder}")
    endif()
    set(home_${name} "${folder}")
  endif()
  list(APPEND checked "${rel}")
endforeach()

set(n_includes 0)
foreach(rel IN LISTS checked)
  get_filename_component(folder "${rel}" DIRECTORY)
  set(path "${src}/${rel}")
  file(STRINGS "${path}" lines REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS lines)
    # file(STRINGS) splits a line at ';' (a list): skip what is not the
    # directive itself
    if(NOT line MATCHES "^[ \t]*#[ \t]*include")
      continue()
    endif()
    math(EXPR n_includes "${n_includes} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*([<\"])([^>\"]+)[>\"]")
      line_number(at "${path}" "${line}")
      problem("src/${rel}:${at}: an #include the check cannot follow: ${line}")
      continue()
    endif()
    set(open "${CMAKE_MATCH_1}")
    set(name "${CMAKE_MATCH_2}")
    if(open STREQUAL "<")
      set(shown "<${name}>")
    else()
      set(shown "\"${name}\"")
    endif()
    # Beside the including file (the quoted form), then in each layer folder
    # (an include directory of some layer).
    set(bases "")
    if(open STREQUAL "\"")
      list(APPEND bases "${folder}")
    endif()
    list(APPEND bases ${LAYERS})
    set(target "")
    foreach(base IN LISTS bases)
      get_filename_component(candidate "${src}/${base}/${name}" ABSOLUTE)
      if(EXISTS "${candidate}" AND NOT IS_DIRECTORY "${candidate}")
        set(target "${candidate}")
        break()
      endif()
    endforeach()
    if(target STREQUAL "")
      if(open STREQUAL "\"")
        line_number(at "${path}" "${line}")
        problem("src/${rel}:${at}: includes ${shown}, which no layer holds")
      endif()
      continue()  # <...> of the system
    endif()
    file(RELATIVE_PATH target_rel "${src}" "${target}")
    get_filename_component(target_folder "${target_rel}" DIRECTORY)
    if(target_rel MATCHES "^\\.\\./" OR NOT target_folder IN_LIST LAYERS)
      file(RELATIVE_PATH shown_target "${src_parent}" "${target}")
      line_number(at "${path}" "${line}")
      problem("src/${rel}:${at}: includes ${shown} (${shown_target}), which is in no layer")
      continue()
    endif()
    if(NOT target_folder IN_LIST LAYER_MAY_USE_${folder})
      set(may_use ${LAYER_MAY_USE_${folder}})
      list(REMOVE_ITEM may_use "${folder}")
      string(REPLACE ";" ", " may_use "${may_use}")
      if(may_use STREQUAL "")
        set(may_use "nothing")
      endif()
      line_number(at "${path}" "${line}")
      problem("src/${rel}:${at}: ${folder} includes ${shown} (src/${target_rel}) of "
              "${target_folder}, which it may not use (it may use: ${may_use})")
    endif()
  endforeach()
endforeach()

if(problems)
  foreach(p IN LISTS problems)
    message("layers_check: ${p}")
  endforeach()
  list(LENGTH problems n)
  message(FATAL_ERROR "layers_check: ${n} problem(s): an #include must point down the layers "
                      "(README \"How the code is organised\"; the layers are the "
                      "pcap2kdb_layer() calls of CMakeLists.txt)")
endif()
list(LENGTH checked n_files)
message("layers_check: ${n_files} files, ${n_includes} includes, all downward")
