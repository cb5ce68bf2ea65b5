using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using PoseKD.Engine.Kernels;

namespace PoseKD.Engine.Interop;

/// <summary>
/// Convolution through oneDNN primitives (forward-training, backward-data, backward-weights), created once per
/// (shape, bias, pass, layout) and cached in a thread-safe dictionary. User buffers are plain NCHW/OIHW; with
/// <see cref="UseBlockedLayouts"/> oneDNN chooses its own (blocked) layouts and cached reorder primitives convert
/// on the way in and out. Scratchpads are user-managed (per-thread buffers), so primitives can run on any thread.
/// </summary>
internal static unsafe class OneDnnConv
{
    private enum Pass { Forward, BackwardData, BackwardWeights }

    private readonly record struct Key(Conv2dShape Shape, bool Bias, Pass Pass, bool Blocked);

    private sealed class Operand
    {
        public int Arg;
        public bool IsOutput;
        public byte* UserMd;      // owned (NativeMemory), plain layout
        public byte* PrimMd;      // owned by the primitive descriptor
        public nint Reorder;      // 0 when the primitive uses the plain layout directly
        public long Bytes;        // size of the primitive-layout buffer
    }

    private sealed class Plan
    {
        public nint Pd;
        public nint Primitive;
        public Operand[] Operands = [];
        public byte* ScratchMd;
        public long ScratchBytes;
        public string Implementation = "";
    }

    private static readonly Lazy<nint> s_engine = new(CreateEngine);
    private static readonly ConcurrentDictionary<Key, Lazy<Plan>> s_plans = new();
    private static int s_noticePrinted;

    [ThreadStatic] private static nint t_stream;
    [ThreadStatic] private static int t_ompThreads;
    [ThreadStatic] private static NativeArena? t_arena;

    /// <summary>Let oneDNN pick blocked layouts (with reorders) instead of plain NCHW/OIHW primitives.</summary>
    internal static bool UseBlockedLayouts { get; set; } = true;

    /// <summary>True when <c>libdnnl.so.2</c> loads and a CPU engine can be created. Prints a one-time notice otherwise.</summary>
    internal static bool IsAvailable => s_engine.Value != 0;

    /// <summary>Number of cached primitive plans (for tests).</summary>
    internal static int CachedPlans => s_plans.Count;

    private static nint CreateEngine()
    {
        nint engine = 0;
        try
        {
            if (NativeLibrary.TryLoad(OneDnn.LibraryName, out _) &&
                OneDnn.dnnl_engine_create(out engine, OneDnn.EngineCpu, 0) == 0)
                return engine;
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
        if (Interlocked.Exchange(ref s_noticePrinted, 1) == 0)
            Console.Error.WriteLine($"posekd: oneDNN ({OneDnn.LibraryName}) is not available; convolutions use im2col + GEMM. " +
                $"Install the Debian package {OneDnn.DebianPackage} for faster convolutions.");
        return 0;
    }

    /// <summary>Forward: x[N,C,H,W], w[O,C,KH,KW], bias[O] or empty → y[N,O,OH,OW].</summary>
    internal static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, Conv2dShape s)
    {
        var plan = GetPlan(new Key(s, !bias.IsEmpty, Pass.Forward, UseBlockedLayouts));
        fixed (float* px = x)
        fixed (float* pw = w)
        fixed (float* pb = bias)
        fixed (float* py = y)
        {
            void** ptrs = stackalloc void*[4];
            ptrs[0] = px; ptrs[1] = pw;
            if (bias.IsEmpty) ptrs[2] = py;
            else { ptrs[2] = pb; ptrs[3] = py; }
            Execute(plan, ptrs);
        }
    }

    /// <summary>Backward data: dy[N,O,OH,OW], w[O,C,KH,KW] → dx[N,C,H,W] (overwritten).</summary>
    internal static void BackwardData(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, Conv2dShape s)
    {
        var plan = GetPlan(new Key(s, false, Pass.BackwardData, UseBlockedLayouts));
        fixed (float* pdy = dy)
        fixed (float* pw = w)
        fixed (float* pdx = dx)
        {
            void** ptrs = stackalloc void*[3];
            ptrs[0] = pdy; ptrs[1] = pw; ptrs[2] = pdx;
            Execute(plan, ptrs);
        }
    }

    /// <summary>Backward weights: dw[O,C,KH,KW] += Σ x·dy; dbias[O] += Σ dy when non-empty.</summary>
    internal static void BackwardWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias, Conv2dShape s)
    {
        var plan = GetPlan(new Key(s, !dbias.IsEmpty, Pass.BackwardWeights, UseBlockedLayouts));
        var arena = t_arena ??= new NativeArena();
        // oneDNN overwrites its outputs; the kernel contract is to add, so compute into scratch and accumulate.
        float* tw = (float*)arena.Get(6, dw.Length * 4L);
        float* tb = (float*)arena.Get(7, Math.Max(1, dbias.Length) * 4L);
        fixed (float* px = x)
        fixed (float* pdy = dy)
        {
            void** ptrs = stackalloc void*[4];
            ptrs[0] = px; ptrs[1] = pdy; ptrs[2] = tw; ptrs[3] = tb;
            Execute(plan, ptrs);
        }
        TensorPrimitives.Add(dw, new ReadOnlySpan<float>(tw, dw.Length), dw);
        if (!dbias.IsEmpty) TensorPrimitives.Add(dbias, new ReadOnlySpan<float>(tb, dbias.Length), dbias);
    }

    /// <summary>Name of the oneDNN implementation chosen for the forward pass of <paramref name="s"/> (e.g. <c>jit:avx2</c>).</summary>
    internal static string ForwardImplementation(Conv2dShape s, bool bias) =>
        GetPlan(new Key(s, bias, Pass.Forward, UseBlockedLayouts)).Implementation;

    private static Plan GetPlan(Key key) =>
        s_plans.GetOrAdd(key, k => new Lazy<Plan>(() => CreatePlan(k), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private static Plan CreatePlan(Key key)
    {
        nint engine = s_engine.Value;
        if (engine == 0) throw new InvalidOperationException($"oneDNN is not available (install {OneDnn.DebianPackage})");
        var s = key.Shape;
        int layout = key.Blocked ? OneDnn.FormatTagAny : OneDnn.FormatTagAbcd;
        byte* srcAny = NewMd(layout, s.N, s.InChannels, s.Height, s.Width);
        byte* wAny = NewMd(layout, s.OutChannels, s.InChannels, s.KernelH, s.KernelW);
        byte* dstAny = NewMd(layout, s.N, s.OutChannels, s.OutHeight, s.OutWidth);
        byte* biasMd = NewMd(OneDnn.FormatTagA, s.OutChannels);
        byte* opDesc = (byte*)NativeMemory.AllocZeroed(OneDnn.OpDescBytes);
        long* strides = stackalloc long[2] { s.Stride, s.Stride };
        long* pads = stackalloc long[2] { s.Padding, s.Padding };
        // Right padding such that the output size matches (H + 2P − K)/S + 1 exactly.
        long* padR = stackalloc long[2]
        {
            (long)(s.OutHeight - 1) * s.Stride + s.KernelH - s.Height - s.Padding,
            (long)(s.OutWidth - 1) * s.Stride + s.KernelW - s.Width - s.Padding,
        };
        nint attr = 0, hint = 0;
        try
        {
            OneDnn.Check(OneDnn.dnnl_primitive_attr_create(out attr), "dnnl_primitive_attr_create");
            OneDnn.Check(OneDnn.dnnl_primitive_attr_set_scratchpad_mode(attr, OneDnn.ScratchpadModeUser), "dnnl_primitive_attr_set_scratchpad_mode");
            (int arg, int query, bool output, bool isBias)[] spec;
            switch (key.Pass)
            {
                case Pass.Forward:
                    OneDnn.Check(OneDnn.dnnl_convolution_forward_desc_init(opDesc, OneDnn.PropForwardTraining, OneDnn.AlgConvolutionDirect,
                        srcAny, wAny, key.Bias ? biasMd : null, dstAny, strides, pads, padR), "dnnl_convolution_forward_desc_init");
                    spec = key.Bias
                        ? [(OneDnn.ArgSrc, OneDnn.QuerySrcMd, false, false), (OneDnn.ArgWeights, OneDnn.QueryWeightsMd, false, false),
                           (OneDnn.ArgBias, 0, false, true), (OneDnn.ArgDst, OneDnn.QueryDstMd, true, false)]
                        : [(OneDnn.ArgSrc, OneDnn.QuerySrcMd, false, false), (OneDnn.ArgWeights, OneDnn.QueryWeightsMd, false, false),
                           (OneDnn.ArgDst, OneDnn.QueryDstMd, true, false)];
                    break;
                case Pass.BackwardData:
                    hint = GetPlan(key with { Pass = Pass.Forward }).Pd;
                    OneDnn.Check(OneDnn.dnnl_convolution_backward_data_desc_init(opDesc, OneDnn.AlgConvolutionDirect,
                        srcAny, wAny, dstAny, strides, pads, padR), "dnnl_convolution_backward_data_desc_init");
                    spec = [(OneDnn.ArgDiffDst, OneDnn.QueryDiffDstMd, false, false), (OneDnn.ArgWeights, OneDnn.QueryWeightsMd, false, false),
                            (OneDnn.ArgDiffSrc, OneDnn.QueryDiffSrcMd, true, false)];
                    break;
                default:
                    hint = GetPlan(key with { Pass = Pass.Forward }).Pd;
                    OneDnn.Check(OneDnn.dnnl_convolution_backward_weights_desc_init(opDesc, OneDnn.AlgConvolutionDirect,
                        srcAny, wAny, key.Bias ? biasMd : null, dstAny, strides, pads, padR), "dnnl_convolution_backward_weights_desc_init");
                    spec = key.Bias
                        ? [(OneDnn.ArgSrc, OneDnn.QuerySrcMd, false, false), (OneDnn.ArgDiffDst, OneDnn.QueryDiffDstMd, false, false),
                           (OneDnn.ArgDiffWeights, OneDnn.QueryDiffWeightsMd, true, false), (OneDnn.ArgDiffBias, 0, true, true)]
                        : [(OneDnn.ArgSrc, OneDnn.QuerySrcMd, false, false), (OneDnn.ArgDiffDst, OneDnn.QueryDiffDstMd, false, false),
                           (OneDnn.ArgDiffWeights, OneDnn.QueryDiffWeightsMd, true, false)];
                    break;
            }
            var plan = new Plan();
            OneDnn.Check(OneDnn.dnnl_primitive_desc_create(out plan.Pd, opDesc, attr, engine, hint), "dnnl_primitive_desc_create(convolution)");
            OneDnn.Check(OneDnn.dnnl_primitive_create(out plan.Primitive, plan.Pd), "dnnl_primitive_create(convolution)");
            byte* impl = null;
            if (OneDnn.dnnl_primitive_desc_query(plan.Pd, OneDnn.QueryImplInfoStr, 0, &impl) == 0 && impl != null)
                plan.Implementation = Marshal.PtrToStringUTF8((nint)impl) ?? "";
            plan.ScratchMd = OneDnn.dnnl_primitive_desc_query_md(plan.Pd, OneDnn.QueryScratchpadMd, 0);
            plan.ScratchBytes = plan.ScratchMd == null ? 0 : (long)OneDnn.dnnl_memory_desc_get_size(plan.ScratchMd);
            plan.Operands = new Operand[spec.Length];
            for (int i = 0; i < spec.Length; i++)
            {
                var (arg, query, output, isBias) = spec[i];
                var op = new Operand { Arg = arg, IsOutput = output };
                op.UserMd = isBias ? NewMd(OneDnn.FormatTagA, s.OutChannels) : UserMd(arg, s);
                op.PrimMd = isBias ? op.UserMd : OneDnn.dnnl_primitive_desc_query_md(plan.Pd, query, 0);
                if (op.PrimMd == null) throw new InvalidOperationException($"oneDNN: no memory descriptor for argument {arg}");
                if (OneDnn.dnnl_memory_desc_equal(op.UserMd, op.PrimMd) == 0)
                {
                    op.Bytes = (long)OneDnn.dnnl_memory_desc_get_size(op.PrimMd);
                    byte* from = output ? op.PrimMd : op.UserMd, to = output ? op.UserMd : op.PrimMd;
                    OneDnn.Check(OneDnn.dnnl_reorder_primitive_desc_create(out nint rpd, from, engine, to, engine, 0), "dnnl_reorder_primitive_desc_create");
                    try { OneDnn.Check(OneDnn.dnnl_primitive_create(out op.Reorder, rpd), "dnnl_primitive_create(reorder)"); }
                    finally { OneDnn.dnnl_primitive_desc_destroy(rpd); }
                }
                plan.Operands[i] = op;
            }
            return plan;
        }
        finally
        {
            if (attr != 0) OneDnn.dnnl_primitive_attr_destroy(attr);
            NativeMemory.Free(srcAny); NativeMemory.Free(wAny); NativeMemory.Free(dstAny); NativeMemory.Free(biasMd);
            NativeMemory.Free(opDesc);
        }
    }

    /// <summary>Plain (NCHW / OIHW) descriptor of the user buffer bound to argument <paramref name="arg"/>.</summary>
    private static byte* UserMd(int arg, Conv2dShape s) => arg switch
    {
        OneDnn.ArgSrc or OneDnn.ArgDiffSrc => NewMd(OneDnn.FormatTagAbcd, s.N, s.InChannels, s.Height, s.Width),
        OneDnn.ArgWeights or OneDnn.ArgDiffWeights => NewMd(OneDnn.FormatTagAbcd, s.OutChannels, s.InChannels, s.KernelH, s.KernelW),
        _ => NewMd(OneDnn.FormatTagAbcd, s.N, s.OutChannels, s.OutHeight, s.OutWidth),
    };

    private static byte* NewMd(int tag, params ReadOnlySpan<int> dims)
    {
        byte* md = (byte*)NativeMemory.AllocZeroed(OneDnn.MemoryDescBytes);
        long* d = stackalloc long[12];
        for (int i = 0; i < dims.Length; i++) d[i] = dims[i];
        OneDnn.Check(OneDnn.dnnl_memory_desc_init_by_tag(md, dims.Length, d, OneDnn.DataTypeF32, tag), "dnnl_memory_desc_init_by_tag");
        return md;
    }

    private static void Execute(Plan plan, void** userPtrs)
    {
        nint engine = s_engine.Value;
        if (t_stream == 0) OneDnn.Check(OneDnn.dnnl_stream_create(out t_stream, engine, OneDnn.StreamDefaultFlags), "dnnl_stream_create");
        int threads = NativeSettings.Threads;
        if (t_ompThreads != threads) { OneDnn.omp_set_num_threads(threads); t_ompThreads = threads; }
        var arena = t_arena ??= new NativeArena();
        int n = plan.Operands.Length;
        nint* userMem = stackalloc nint[n];
        nint* primMem = stackalloc nint[n];
        OneDnn.ExecArg* args = stackalloc OneDnn.ExecArg[n + 1];
        OneDnn.ExecArg* pair = stackalloc OneDnn.ExecArg[2];
        nint scratch = 0;
        for (int i = 0; i < n; i++) userMem[i] = primMem[i] = 0;
        try
        {
            for (int i = 0; i < n; i++)
            {
                var op = plan.Operands[i];
                OneDnn.Check(OneDnn.dnnl_memory_create(out userMem[i], op.UserMd, engine, userPtrs[i]), "dnnl_memory_create");
                if (op.Reorder != 0)
                {
                    OneDnn.Check(OneDnn.dnnl_memory_create(out primMem[i], op.PrimMd, engine, arena.Get(i, op.Bytes)), "dnnl_memory_create");
                    if (!op.IsOutput)
                    {
                        pair[0] = new OneDnn.ExecArg { Arg = OneDnn.ArgFrom, Memory = userMem[i] };
                        pair[1] = new OneDnn.ExecArg { Arg = OneDnn.ArgTo, Memory = primMem[i] };
                        OneDnn.Check(OneDnn.dnnl_primitive_execute(op.Reorder, t_stream, 2, pair), "dnnl_primitive_execute(reorder)");
                    }
                }
                args[i] = new OneDnn.ExecArg { Arg = op.Arg, Memory = op.Reorder != 0 ? primMem[i] : userMem[i] };
            }
            int nargs = n;
            if (plan.ScratchBytes > 0)
            {
                OneDnn.Check(OneDnn.dnnl_memory_create(out scratch, plan.ScratchMd, engine, arena.Get(5, plan.ScratchBytes)), "dnnl_memory_create");
                args[nargs++] = new OneDnn.ExecArg { Arg = OneDnn.ArgScratchpad, Memory = scratch };
            }
            OneDnn.Check(OneDnn.dnnl_primitive_execute(plan.Primitive, t_stream, nargs, args), "dnnl_primitive_execute(convolution)");
            for (int i = 0; i < n; i++)
            {
                var op = plan.Operands[i];
                if (op.Reorder == 0 || !op.IsOutput) continue;
                pair[0] = new OneDnn.ExecArg { Arg = OneDnn.ArgFrom, Memory = primMem[i] };
                pair[1] = new OneDnn.ExecArg { Arg = OneDnn.ArgTo, Memory = userMem[i] };
                OneDnn.Check(OneDnn.dnnl_primitive_execute(op.Reorder, t_stream, 2, pair), "dnnl_primitive_execute(reorder)");
            }
            OneDnn.Check(OneDnn.dnnl_stream_wait(t_stream), "dnnl_stream_wait");
        }
        finally
        {
            for (int i = 0; i < n; i++)
            {
                if (userMem[i] != 0) OneDnn.dnnl_memory_destroy(userMem[i]);
                if (primMem[i] != 0) OneDnn.dnnl_memory_destroy(primMem[i]);
            }
            if (scratch != 0) OneDnn.dnnl_memory_destroy(scratch);
        }
    }

    /// <summary>Per-thread, 64-byte aligned native buffers reused between calls (slot → buffer), freed by the finalizer.</summary>
    private sealed class NativeArena
    {
        private readonly void*[] _ptr = new void*[8];
        private readonly long[] _bytes = new long[8];

        public void* Get(int slot, long bytes)
        {
            if (_bytes[slot] < bytes)
            {
                if (_ptr[slot] != null) NativeMemory.AlignedFree(_ptr[slot]);
                _ptr[slot] = NativeMemory.AlignedAlloc((nuint)bytes, 64);
                _bytes[slot] = bytes;
            }
            return _ptr[slot];
        }

        ~NativeArena()
        {
            for (int i = 0; i < _ptr.Length; i++)
                if (_ptr[i] != null) NativeMemory.AlignedFree(_ptr[i]);
        }
    }
}
