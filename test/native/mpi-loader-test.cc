// The Open MPI loader (native/src/mpi/mpi-api.h): a missing library and a library that is not Open MPI both give
// SIMDNET_MPI_UNAVAILABLE with the install hint and load nothing; SIMDNET_LIBMPI picks the path. (Loading the real
// libmpi is covered by test/distributed under mpirun.)
#include <cstdlib>
#include <string>

#include "check.h"
#include "mpi/mpi-api.h"

using namespace simdnet;

namespace {

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

TEST(missing_library_is_a_coded_error) {
  dist::LoadError err;
  EXPECT(dist::load_mpi("/nonexistent/simdnet-test/libmpi.so.40", &err) == nullptr);
  EXPECT(err.code == "SIMDNET_MPI_UNAVAILABLE");
  EXPECT(has(err.message, "/nonexistent/simdnet-test/libmpi.so.40"));
  EXPECT(has(err.message, "apt-get install openmpi-bin"));
}

TEST(a_library_without_open_mpi_symbols_is_refused) {
  dist::LoadError err;
  // libm is present everywhere glibc is and exports no ompi_mpi_comm_world: what an MPICH libmpi looks like here.
  EXPECT(dist::load_mpi("libm.so.6", &err) == nullptr);
  EXPECT(err.code == "SIMDNET_MPI_UNAVAILABLE");
  EXPECT(has(err.message, "is not Open MPI"));
  EXPECT(has(err.message, "apt-get install openmpi-bin"));
}

TEST(simdnet_libmpi_overrides_the_path) {
  unsetenv("SIMDNET_LIBMPI");
  EXPECT(dist::default_library_path() == "libmpi.so.40");
  setenv("SIMDNET_LIBMPI", "/opt/ompi/lib/libmpi.so", 1);
  EXPECT(dist::default_library_path() == "/opt/ompi/lib/libmpi.so");
  unsetenv("SIMDNET_LIBMPI");
}

}  // namespace

CHECK_MAIN()
