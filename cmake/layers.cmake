# nordlys_layer(NAME SOURCES ... DEPS ... LIBS ...)
#
# Makes the static library nordlys_NAME. Its sources (and its tests) see headers through
# ${CMAKE_BINARY_DIR}/layers/NAME/, a folder holding one symlink per layer it may use: itself
# and every layer in DEPS (list them transitively). `#include "engine/x.h"` from src/page/ finds
# no such file, and the link has no symbols from a layer that is not a dependency.
function(nordlys_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS;LIBS" ${ARGN})
  set(view ${CMAKE_BINARY_DIR}/layers/${name})
  file(MAKE_DIRECTORY ${view})
  foreach(layer ${name} ${L_DEPS})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${layer} ${view}/${layer} SYMBOLIC)
  endforeach()
  add_library(nordlys_${name} STATIC ${L_SOURCES})
  target_include_directories(nordlys_${name} PRIVATE ${view})
  set(dep_targets)
  foreach(dep ${L_DEPS})
    list(APPEND dep_targets nordlys_${dep})
  endforeach()
  # PRIVATE: a layer's dependencies do not leak their include views upwards. Each layer
  # names what it may use itself.
  target_link_libraries(nordlys_${name} PRIVATE ${dep_targets} ${L_LIBS})
  set_property(TARGET nordlys_${name} PROPERTY NORDLYS_VIEW ${view})
  set_property(TARGET nordlys_${name} PROPERTY NORDLYS_DEPS ${dep_targets})
endfunction()

# nordlys_test(NAME LAYER SOURCES ... LIBS ...): a GoogleTest binary beside a layer's code, with
# the layer's own include view. Each test case becomes its own ctest entry.
function(nordlys_test name layer)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  get_property(view TARGET nordlys_${layer} PROPERTY NORDLYS_VIEW)
  get_property(deps TARGET nordlys_${layer} PROPERTY NORDLYS_DEPS)
  target_include_directories(${name} PRIVATE ${view})
  target_link_libraries(${name} PRIVATE nordlys_${layer} ${deps} ${T_LIBS}
                        GTest::gtest GTest::gmock GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS "${T_LABELS}")
endfunction()
