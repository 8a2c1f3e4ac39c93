# QBNET_SANITIZE=ON: AddressSanitizer + UndefinedBehaviorSanitizer on every target (library, CLI,
# tests). Used by `make sanitize` (build folder build-sanitize, build type Sanitize).
option(QBNET_SANITIZE "Build with -fsanitize=address,undefined" OFF)
# Build type Sanitize: -O1 (ASan's recommended level: Release -O3 inlines Eigen so deeply that the
# instrumented build takes several times longer, -O0 makes the tests crawl) and -g1 (line tables for
# the reports' stack traces, no variable info: most of -g's compile time and object size is DWARF for
# Eigen's templates). NDEBUG as in Release: the tests run the code CI ships.
# (CMake creates an empty CMAKE_CXX_FLAGS_SANITIZE cache entry for any custom build type: fill it unless
# the user has.)
if(NOT CMAKE_CXX_FLAGS_SANITIZE)
  set(CMAKE_CXX_FLAGS_SANITIZE "-O1 -g1 -DNDEBUG" CACHE STRING "Compiler flags of the Sanitize build type" FORCE)
endif()
set(CMAKE_EXE_LINKER_FLAGS_SANITIZE "" CACHE STRING "Linker flags of the Sanitize build type")
set(CMAKE_SHARED_LINKER_FLAGS_SANITIZE "" CACHE STRING "Linker flags of the Sanitize build type")
mark_as_advanced(CMAKE_CXX_FLAGS_SANITIZE CMAKE_EXE_LINKER_FLAGS_SANITIZE CMAKE_SHARED_LINKER_FLAGS_SANITIZE)
if(QBNET_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "QBNET_SANITIZE needs GCC or Clang")
  endif()
  # -fno-sanitize-recover: a UB report fails the test instead of scrolling past.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  message(STATUS "qbnet: AddressSanitizer + UndefinedBehaviorSanitizer enabled (build type ${CMAKE_BUILD_TYPE})")
endif()
