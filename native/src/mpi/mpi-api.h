// Open MPI's C API, loaded at run time (docs/distributed.md). No mpi.h: prebuilds carry no link-time dependency on
// MPI, and the build needs no MPI headers. The types below are Open MPI's ABI (4.x and 5.x, libmpi.so.40):
// MPI_Comm, MPI_Datatype and MPI_Op are pointers to predefined objects that libmpi exports under the names
// ompi_mpi_comm_world, ompi_mpi_float, ompi_mpi_op_sum, ... (the handle IS the symbol's address; MPI.jl loads Open
// MPI the same way). MPICH's handles are integers with another ABI, so an MPICH library is refused by name.
//
// No N-API here: the loader is tested from C++ (test/native/mpi-loader-test.cc).
#pragma once
#include <string>

namespace simdnet::dist {

// Open MPI's constants (mpi.h of 4.1 and 5.0).
constexpr int kMpiSuccess = 0;
constexpr int kMpiThreadSerialized = 2;  // SINGLE 0, FUNNELED 1, SERIALIZED 2, MULTIPLE 3
constexpr int kMpiMaxErrorString = 256;
// MPI_IN_PLACE is ((void *) 1) in Open MPI's mpi.h.
inline void* mpi_in_place() { return reinterpret_cast<void*>(static_cast<unsigned long>(1)); }

using Handle = void*;  // MPI_Comm, MPI_Datatype, MPI_Op, MPI_Request

struct MpiApi {
  int (*Init_thread)(int* argc, char*** argv, int required, int* provided) = nullptr;
  int (*Initialized)(int* flag) = nullptr;
  int (*Finalized)(int* flag) = nullptr;
  int (*Finalize)() = nullptr;
  int (*Comm_rank)(Handle comm, int* rank) = nullptr;
  int (*Comm_size)(Handle comm, int* size) = nullptr;
  int (*Allreduce)(const void* send, void* recv, int count, Handle type, Handle op, Handle comm) = nullptr;
  int (*Bcast)(void* buf, int count, Handle type, int root, Handle comm) = nullptr;
  int (*Barrier)(Handle comm) = nullptr;
  // MPI-3 nonblocking collectives (Open MPI >= 1.8) and MPI_Test: the communication thread's polite wait.
  int (*Iallreduce)(const void* send, void* recv, int count, Handle type, Handle op, Handle comm, Handle* req) = nullptr;
  int (*Ibcast)(void* buf, int count, Handle type, int root, Handle comm, Handle* req) = nullptr;
  int (*Ibarrier)(Handle comm, Handle* req) = nullptr;
  int (*Test)(Handle* req, int* flag, void* status) = nullptr;  // status: MPI_STATUS_IGNORE is ((MPI_Status *) 0)
  int (*Abort)(Handle comm, int code) = nullptr;
  int (*Error_string)(int code, char* text, int* len) = nullptr;
  Handle comm_world = nullptr, type_float = nullptr, type_double = nullptr, op_sum = nullptr;
  std::string path;  // what was loaded
};

struct LoadError {
  std::string code;  // SIMDNET_MPI_UNAVAILABLE
  std::string message;
};

// The path tried: SIMDNET_LIBMPI if set, else "libmpi.so.40" (the dynamic loader's search path).
std::string default_library_path();

// Loads Open MPI once per process (dlopen RTLD_NOW | RTLD_GLOBAL: Open MPI's plugins resolve libmpi's symbols from
// the global scope, else "mca_base_component_repository_open: unable to open ..."). Thread-safe; later calls return
// the same table whatever their path. nullptr with *err filled when the library is missing, cannot be loaded, is not
// Open MPI, or lacks a symbol. A failed load is not cached: a later call may try another path.
const MpiApi* load_mpi(const std::string& path, LoadError* err);

// "MPI_ERR_...: text" for an MPI return code (the code alone when the library cannot say).
std::string error_text(const MpiApi& api, int rc);

}  // namespace simdnet::dist
