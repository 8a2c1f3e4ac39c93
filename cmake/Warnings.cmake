function(qbnet_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unknown-pragmas)
endfunction()

# -O3 plus (optionally) -march=native: the Fock RHS is a streaming kernel over complex rows and
# profits from AVX. -fno-math-errno lets sqrt vectorise; no -ffast-math (we need IEEE NaN checks).
function(qbnet_set_optimisation target)
  target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:-O3 -fno-math-errno>)
  if(QBNET_NATIVE)
    target_compile_options(${target} PRIVATE -march=native)
  endif()
endfunction()
