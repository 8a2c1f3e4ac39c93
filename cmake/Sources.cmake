# Explicit source lists, one per layer (docs/architecture.md). A new file is added here; the check at the
# end stops the configure step when a .cpp under src/ is missing from every list, so a forgotten file
# cannot silently drop out of the build.
set(QBNET_MODEL_SOURCES
  src/options.cpp
  src/initial_state.cpp
  src/scenario.cpp
  src/scenario_keys.cpp
  src/model/network.cpp
  src/model/terms.cpp
  src/observables/ergotropy.cpp)
set(QBNET_NUMERICS_SOURCES
  src/numerics/hermitian_eigenvalues.cpp
  src/numerics/hermitian_packing.cpp
  src/numerics/memory.cpp
  src/numerics/parallel.cpp
  src/numerics/vector_ops.cpp)
set(QBNET_FOCK_SOURCES
  src/fock/basis.cpp
  src/fock/checkpoint_ledger.cpp
  src/fock/cutoff_guess.cpp
  src/fock/detail/local_preconditioner.cpp
  src/fock/detail/sylvester_preconditioner.cpp
  src/fock/displaced.cpp
  src/fock/displaced_engine.cpp
  src/fock/engine.cpp
  src/fock/engine_support.cpp
  src/fock/evolve.cpp
  src/fock/initial.cpp
  src/fock/lindblad.cpp
  src/fock/observables.cpp
  src/fock/rkc.cpp
  src/fock/krylov_evolve.cpp
  src/fock/steady.cpp
  src/fock/truncation.cpp)
set(QBNET_GAUSSIAN_SOURCES
  src/gaussian/engine.cpp
  src/gaussian/ergotropy.cpp
  src/gaussian/evolve.cpp
  src/gaussian/lyapunov.cpp
  src/gaussian/memory.cpp
  src/gaussian/moments.cpp
  src/gaussian/schur.cpp
  src/gaussian/snapshot.cpp
  src/gaussian/steady.cpp
  src/gaussian/structured_steady.cpp)
set(QBNET_TRAJECTORY_SOURCES
  src/trajectories/accumulate.cpp
  src/trajectories/engine.cpp
  src/trajectories/figures.cpp
  src/trajectories/random_stream.cpp
  src/trajectories/taylor.cpp
  src/trajectories/trajectory.cpp
  src/trajectories/unravelling.cpp
  src/trajectories/waiting_time.cpp)
set(QBNET_ENGINE_SOURCES
  src/engine.cpp)
set(QBNET_STUDY_SOURCES
  src/study/crosscheck.cpp
  src/study/distributed_trajectories.cpp
  src/study/optimize.cpp
  src/study/sweep.cpp
  src/study/trust.cpp)
set(QBNET_PARALLEL_SOURCES
  src/parallel/communicator.cpp
  src/parallel/distribute.cpp)
set(QBNET_IO_SOURCES
  src/io/checkpoint.cpp
  src/io/display.cpp
  src/io/npy.cpp
  src/io/optimum.cpp
  src/io/plot.cpp
  src/io/plot_warmup.cpp
  src/io/provenance.cpp
  src/io/results.cpp
  src/io/scenario.cpp
  src/io/state_export.cpp
  src/io/sweep_files.cpp
  src/io/sweep_plot.cpp
  src/io/toml_reader.cpp)
set(QBNET_LIB_SOURCES
  ${QBNET_MODEL_SOURCES} ${QBNET_NUMERICS_SOURCES} ${QBNET_FOCK_SOURCES} ${QBNET_GAUSSIAN_SOURCES}
  ${QBNET_TRAJECTORY_SOURCES} ${QBNET_ENGINE_SOURCES} ${QBNET_STUDY_SOURCES} ${QBNET_PARALLEL_SOURCES}
  ${QBNET_IO_SOURCES})
set(QBNET_CLI_SOURCES
  src/cli/checkpoint_session.cpp
  src/cli/log.cpp
  src/cli/main.cpp
  src/cli/optimize_command.cpp
  src/cli/progress.cpp
  src/cli/run_command.cpp
  src/cli/sweep_command.cpp)

# Guard: every src/**/*.cpp is in exactly one list.
file(GLOB_RECURSE _qbnet_found RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp)
set(_qbnet_listed ${QBNET_LIB_SOURCES} ${QBNET_CLI_SOURCES})
foreach(_f IN LISTS _qbnet_found)
  if(NOT _f IN_LIST _qbnet_listed)
    message(FATAL_ERROR "qbnet: ${_f} is not in any source list of cmake/Sources.cmake; add it to its layer's list")
  endif()
endforeach()
foreach(_f IN LISTS _qbnet_listed)
  if(NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${_f})
    message(FATAL_ERROR "qbnet: cmake/Sources.cmake lists ${_f}, which does not exist")
  endif()
endforeach()
