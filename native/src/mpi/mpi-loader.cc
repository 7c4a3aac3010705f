// Run-time loading of Open MPI: see mpi-api.h.
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

#include "mpi/mpi-api.h"

namespace simdnet::dist {
namespace {

constexpr const char* kInstallHint =
    "Distributed training needs Open MPI (libmpi.so.40): install it with `apt-get install openmpi-bin` (Debian/Ubuntu; "
    "libopenmpi3 holds the library), or point SIMDNET_LIBMPI at an Open MPI libmpi.so";

std::mutex g_mu;
MpiApi* g_api = nullptr;  // set once, never freed (libmpi is never unloaded: MPI cannot be re-initialized anyway)

template <typename F>
bool resolve(void* lib, const char* name, F* out, std::string* missing) {
  void* p = dlsym(lib, name);
  if (!p) {
    if (missing->empty()) *missing = name;
    return false;
  }
  *out = reinterpret_cast<F>(p);
  return true;
}

}  // namespace

std::string default_library_path() {
  const char* env = std::getenv("SIMDNET_LIBMPI");
  return env && *env ? std::string(env) : std::string("libmpi.so.40");
}

const MpiApi* load_mpi(const std::string& path, LoadError* err) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_api) return g_api;
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!lib) {
    const char* why = dlerror();
    err->code = "SIMDNET_MPI_UNAVAILABLE";
    err->message = "Cannot load the MPI library '" + path + "' (" + (why ? why : "unknown error") + "). " + kInstallHint;
    return nullptr;
  }
  // Open MPI exports its predefined objects; MPICH (libmpi.so.12) and others do not.
  if (!dlsym(lib, "ompi_mpi_comm_world")) {
    err->code = "SIMDNET_MPI_UNAVAILABLE";
    err->message = "'" + path + "' is not Open MPI (no ompi_mpi_comm_world symbol; MPICH and other MPIs have another "
                   "ABI and are not supported). " + std::string(kInstallHint);
    dlclose(lib);
    return nullptr;
  }
  auto* api = new MpiApi();
  std::string missing;
  bool ok = true;
  ok &= resolve(lib, "MPI_Init_thread", &api->Init_thread, &missing);
  ok &= resolve(lib, "MPI_Initialized", &api->Initialized, &missing);
  ok &= resolve(lib, "MPI_Finalized", &api->Finalized, &missing);
  ok &= resolve(lib, "MPI_Finalize", &api->Finalize, &missing);
  ok &= resolve(lib, "MPI_Comm_rank", &api->Comm_rank, &missing);
  ok &= resolve(lib, "MPI_Comm_size", &api->Comm_size, &missing);
  ok &= resolve(lib, "MPI_Allreduce", &api->Allreduce, &missing);
  ok &= resolve(lib, "MPI_Bcast", &api->Bcast, &missing);
  ok &= resolve(lib, "MPI_Barrier", &api->Barrier, &missing);
  ok &= resolve(lib, "MPI_Iallreduce", &api->Iallreduce, &missing);
  ok &= resolve(lib, "MPI_Ibcast", &api->Ibcast, &missing);
  ok &= resolve(lib, "MPI_Ibarrier", &api->Ibarrier, &missing);
  ok &= resolve(lib, "MPI_Test", &api->Test, &missing);
  ok &= resolve(lib, "MPI_Abort", &api->Abort, &missing);
  ok &= resolve(lib, "MPI_Error_string", &api->Error_string, &missing);
  ok &= resolve(lib, "ompi_mpi_comm_world", &api->comm_world, &missing);
  ok &= resolve(lib, "ompi_mpi_float", &api->type_float, &missing);
  ok &= resolve(lib, "ompi_mpi_double", &api->type_double, &missing);
  ok &= resolve(lib, "ompi_mpi_op_sum", &api->op_sum, &missing);
  if (!ok) {
    delete api;
    dlclose(lib);
    err->code = "SIMDNET_MPI_UNAVAILABLE";
    err->message = "'" + path + "' lacks the symbol " + missing + ". " + kInstallHint;
    return nullptr;
  }
  api->path = path;
  g_api = api;
  return g_api;
}

std::string error_text(const MpiApi& api, int rc) {
  char text[kMpiMaxErrorString + 1] = {0};
  int len = 0;
  if (api.Error_string && api.Error_string(rc, text, &len) == kMpiSuccess && len > 0)
    return "MPI error " + std::to_string(rc) + ": " + std::string(text, static_cast<size_t>(len));
  return "MPI error " + std::to_string(rc);
}

}  // namespace simdnet::dist
