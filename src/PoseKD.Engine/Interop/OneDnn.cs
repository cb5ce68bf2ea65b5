using System.Runtime.InteropServices;

namespace PoseKD.Engine.Interop;

/// <summary>
/// Raw bindings to the oneDNN 2.x C API (Debian package <c>libdnnl2</c>, <c>libdnnl.so.2</c>) and to the OpenMP
/// runtime it runs on (<c>libgomp.so.1</c>). Descriptors (<c>dnnl_memory_desc_t</c>, <c>dnnl_convolution_desc_t</c>)
/// are treated as opaque byte buffers of at least <see cref="MemoryDescBytes"/> / <see cref="OpDescBytes"/> bytes.
/// Every function returns a <c>dnnl_status_t</c>; <see cref="Check"/> turns failures into exceptions.
/// </summary>
internal static unsafe partial class OneDnn
{
    /// <summary>Shared library name resolved by the dynamic loader.</summary>
    internal const string LibraryName = "libdnnl.so.2";

    /// <summary>OpenMP runtime oneDNN is built against on Debian.</summary>
    internal const string OpenMpLibraryName = "libgomp.so.1";

    /// <summary>Debian package that provides <see cref="LibraryName"/>.</summary>
    internal const string DebianPackage = "libdnnl2";

    /// <summary>Bytes reserved for one <c>dnnl_memory_desc_t</c> (696 in oneDNN 2.6).</summary>
    internal const int MemoryDescBytes = 1024;

    /// <summary>Bytes reserved for one <c>dnnl_convolution_desc_t</c> (5976 in oneDNN 2.6).</summary>
    internal const int OpDescBytes = 8192;

    // dnnl_types.h constants (oneDNN 2.x ABI).
    internal const int EngineCpu = 1;
    internal const uint StreamDefaultFlags = 1;
    internal const int DataTypeF32 = 3;
    internal const int FormatTagAny = 1;
    internal const int FormatTagA = 2;       // dnnl_x
    internal const int FormatTagAbcd = 5;    // dnnl_nchw / dnnl_oihw
    internal const int PropForwardTraining = 64;
    internal const int PropForwardInference = 96;
    internal const int AlgConvolutionDirect = 1;
    internal const int ScratchpadModeUser = 1;
    internal const int QueryImplInfoStr = 8;
    internal const int QuerySrcMd = 129, QueryDiffSrcMd = 130, QueryWeightsMd = 131, QueryDiffWeightsMd = 132;
    internal const int QueryDstMd = 133, QueryDiffDstMd = 134, QueryScratchpadMd = 136;
    internal const int ArgSrc = 1, ArgDst = 17, ArgWeights = 33, ArgBias = 41, ArgScratchpad = 80;
    internal const int ArgDiffSrc = 129, ArgDiffDst = 145, ArgDiffWeights = 161, ArgDiffBias = 169;
    internal const int ArgFrom = ArgSrc, ArgTo = ArgDst;

    /// <summary><c>dnnl_exec_arg_t</c>: argument id and memory object.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ExecArg
    {
        public int Arg;
        public nint Memory;
    }

    /// <summary>Throws when <paramref name="status"/> is not <c>dnnl_success</c>.</summary>
    internal static void Check(int status, string function)
    {
        if (status != 0) throw new InvalidOperationException($"oneDNN {function} failed with status {status}");
    }

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_engine_create(out nint engine, int kind, nuint index);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_stream_create(out nint stream, nint engine, uint flags);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_stream_wait(nint stream);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_memory_desc_init_by_tag(byte* memoryDesc, int ndims, long* dims, int dataType, int tag);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_memory_desc_equal(byte* lhs, byte* rhs);

    [LibraryImport(LibraryName)]
    internal static partial nuint dnnl_memory_desc_get_size(byte* memoryDesc);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_convolution_forward_desc_init(byte* convDesc, int propKind, int algKind,
        byte* srcDesc, byte* weightsDesc, byte* biasDesc, byte* dstDesc, long* strides, long* paddingL, long* paddingR);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_convolution_backward_data_desc_init(byte* convDesc, int algKind,
        byte* diffSrcDesc, byte* weightsDesc, byte* diffDstDesc, long* strides, long* paddingL, long* paddingR);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_convolution_backward_weights_desc_init(byte* convDesc, int algKind,
        byte* srcDesc, byte* diffWeightsDesc, byte* diffBiasDesc, byte* diffDstDesc, long* strides, long* paddingL, long* paddingR);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_primitive_attr_create(out nint attr);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_primitive_attr_set_scratchpad_mode(nint attr, int mode);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_primitive_attr_destroy(nint attr);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_primitive_desc_create(out nint primitiveDesc, void* opDesc, nint attr, nint engine, nint hintForwardPrimitiveDesc);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_reorder_primitive_desc_create(out nint primitiveDesc, byte* srcDesc, nint srcEngine, byte* dstDesc, nint dstEngine, nint attr);

    [LibraryImport(LibraryName)]
    internal static partial byte* dnnl_primitive_desc_query_md(nint primitiveDesc, int what, int index);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_primitive_desc_query(nint primitiveDesc, int what, int index, void* result);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_primitive_desc_destroy(nint primitiveDesc);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_primitive_create(out nint primitive, nint primitiveDesc);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_primitive_execute(nint primitive, nint stream, int nargs, ExecArg* args);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_memory_create(out nint memory, byte* memoryDesc, nint engine, void* handle);

    [LibraryImport(LibraryName)]
    internal static partial int dnnl_memory_destroy(nint memory);

    /// <summary><c>dnnl_get_effective_cpu_isa</c>: the ISA oneDNN dispatches to (a <c>dnnl_cpu_isa_t</c>).</summary>
    [LibraryImport(LibraryName)]
    internal static partial int dnnl_get_effective_cpu_isa();

    /// <summary><c>dnnl_cpu_isa2str</c>: a static name for a <c>dnnl_cpu_isa_t</c> (null if unknown).</summary>
    [LibraryImport(LibraryName)]
    internal static partial nint dnnl_cpu_isa2str(int isa);

    /// <summary>Sets the OpenMP thread count of the calling thread's next parallel regions.</summary>
    [LibraryImport(OpenMpLibraryName)]
    internal static partial void omp_set_num_threads(int threads);
}
