using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace PoseKD.Engine.Serialization;

/// <summary>A function the pickle stream may call: only allow-listed, side-effect-free builders.</summary>
internal sealed class PickleCallable(string fullName, Func<object?[], object?> invoke)
{
    public string FullName { get; } = fullName;
    public object? Invoke(object?[] args) => invoke(args);
    public override string ToString() => $"<callable {FullName}>";
}

/// <summary>
/// A safe interpreter of the pickle subset that <c>torch.save</c> writes (protocols 2–5, binary
/// opcodes only). It never imports or runs code: globals are resolved through a caller-supplied
/// allow-list of builders; a global on the caller's second allow-list (classes a checkpoint legitimately
/// holds, kept as data) becomes an inert <see cref="PickleObject"/>; any other global is an error naming it,
/// and any opcode outside the subset is an error naming it.
/// Python values map to: None → null, bool, int → long (BigInteger if wider), float → double,
/// str → string, bytes → byte[], tuple → object?[], list → List&lt;object?&gt;,
/// dict → Dictionary&lt;object, object?&gt; (insertion order kept).
/// </summary>
internal sealed class PickleReader
{
    private readonly byte[] _data;
    private readonly string _source;
    private readonly Func<string, string, object?> _resolveGlobal;
    private readonly Func<object?, object?> _persistentLoad;
    private readonly Func<string, string, bool> _inertAllowed;
    private int _pos;
    private readonly List<object?> _stack = new();
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = new();
    private static readonly object MarkSentinel = new();

    /// <param name="data">Pickle bytes.</param>
    /// <param name="source">File (and entry) named in error messages.</param>
    /// <param name="resolveGlobal">Returns the value for an allow-listed global, or null if not allowed.</param>
    /// <param name="persistentLoad">Resolves a BINPERSID id.</param>
    /// <param name="inertAllowed">True for a (module, name) global that may be kept as an inert record; any other unresolved global is an error.</param>
    public PickleReader(byte[] data, string source, Func<string, string, object?> resolveGlobal, Func<object?, object?> persistentLoad, Func<string, string, bool> inertAllowed)
    {
        _data = data; _source = source; _resolveGlobal = resolveGlobal; _persistentLoad = persistentLoad; _inertAllowed = inertAllowed;
    }

    /// <summary>Runs the stream to STOP and returns the resulting object.</summary>
    public object? Load()
    {
        while (true)
        {
            if (_pos >= _data.Length) throw Bad("pickle stream", "a STOP opcode before the end of the data");
            int at = _pos;
            byte op = _data[_pos++];
            switch (op)
            {
                case 0x80: ReadBytes(1); break;                                   // PROTO
                case 0x95: ReadBytes(8); break;                                   // FRAME (framing is transparent)
                case 0x2e: return PopFinal();                                     // STOP
                case 0x7d: Push(new Dictionary<object, object?>()); break;        // EMPTY_DICT
                case 0x5d: Push(new List<object?>()); break;                      // EMPTY_LIST
                case 0x29: Push(Array.Empty<object?>()); break;                   // EMPTY_TUPLE
                case 0x8f: Push(new List<object?>()); break;                      // EMPTY_SET (as a list)
                case 0x28: _marks.Push(_stack.Count); break;                      // MARK
                case 0x30: Pop(); break;                                          // POP
                case 0x31: PopMark(); break;                                      // POP_MARK
                case 0x32: Push(Peek()); break;                                   // DUP
                case 0x58: Push(Utf8(ReadU32())); break;                          // BINUNICODE
                case 0x8c: Push(Utf8(ReadBytes(1)[0])); break;                    // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(checked((int)ReadU64()))); break;            // BINUNICODE8
                case 0x54: Push(Latin1(ReadU32())); break;                        // BINSTRING
                case 0x55: Push(Latin1(ReadBytes(1)[0])); break;                  // SHORT_BINSTRING
                case 0x42: Push(ReadBytes(ReadU32()).ToArray()); break;           // BINBYTES
                case 0x43: Push(ReadBytes(ReadBytes(1)[0]).ToArray()); break;     // SHORT_BINBYTES
                case 0x8e: Push(ReadBytes(checked((int)ReadU64())).ToArray()); break; // BINBYTES8
                case 0x4a: Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case 0x4b: Push((long)ReadBytes(1)[0]); break;                    // BININT1
                case 0x4d: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadBytes(1)[0])); break;                // LONG1
                case 0x8b: Push(ReadLong(ReadU32())); break;                      // LONG4
                case 0x47: Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case 0x88: Push(true); break;                                     // NEWTRUE
                case 0x89: Push(false); break;                                    // NEWFALSE
                case 0x4e: Push(null); break;                                     // NONE
                case 0x85: { var a = Pop(); Push(new[] { a }); break; }           // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case 0x74: Push(PopMark().ToArray()); break;                      // TUPLE
                case 0x91: Push(PopMark()); break;                                // FROZENSET (as a list)
                case 0x73: { var v = Pop(); var k = Pop(); SetItem(Peek(), k, v, at); break; } // SETITEM
                case 0x75:                                                        // SETITEMS
                {
                    var items = PopMark();
                    if (items.Count % 2 != 0) throw Bad($"SETITEMS at byte {at}", "an even number of stack items");
                    var target = Peek();
                    for (int i = 0; i < items.Count; i += 2) SetItem(target, items[i], items[i + 1], at);
                    break;
                }
                case 0x61: { var v = Pop(); AsList(Peek(), "APPEND", at).Add(v); break; }   // APPEND
                case 0x65: case 0x90: { var items = PopMark(); AsList(Peek(), op == 0x65 ? "APPENDS" : "ADDITEMS", at).AddRange(items); break; } // APPENDS, ADDITEMS
                case 0x68: Push(MemoGet(ReadBytes(1)[0], at)); break;             // BINGET
                case 0x6a: Push(MemoGet(ReadU32(), at)); break;                   // LONG_BINGET
                case 0x71: _memo[ReadBytes(1)[0]] = Peek(); break;                // BINPUT
                case 0x72: _memo[ReadU32()] = Peek(); break;                      // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break;                    // MEMOIZE
                case 0x63:                                                        // GLOBAL
                {
                    string module = ReadLine(), name = ReadLine();
                    Push(Global(module, name));
                    break;
                }
                case 0x93:                                                        // STACK_GLOBAL
                {
                    var name = Pop() as string; var module = Pop() as string;
                    if (module is null || name is null) throw Bad($"STACK_GLOBAL at byte {at}", "two strings (module, name)");
                    Push(Global(module, name));
                    break;
                }
                case 0x51: Push(_persistentLoad(Pop())); break;                   // BINPERSID
                case 0x52:                                                        // REDUCE
                {
                    var args = Pop() as object?[] ?? throw Bad($"REDUCE at byte {at}", "an argument tuple");
                    Push(Call(Pop(), args, "REDUCE", at));
                    break;
                }
                case 0x81:                                                        // NEWOBJ
                {
                    var args = Pop() as object?[] ?? throw Bad($"NEWOBJ at byte {at}", "an argument tuple");
                    Push(Call(Pop(), args, "NEWOBJ", at));
                    break;
                }
                case 0x92:                                                        // NEWOBJ_EX
                {
                    Pop(); // kwargs
                    var args = Pop() as object?[] ?? throw Bad($"NEWOBJ_EX at byte {at}", "an argument tuple");
                    Push(Call(Pop(), args, "NEWOBJ_EX", at));
                    break;
                }
                case 0x62:                                                        // BUILD
                {
                    var state = Pop();
                    if (Peek() is PickleObject po) po.State = state;
                    // Containers and tensors carry only attributes here (OrderedDict._metadata, tensor hooks): ignored.
                    break;
                }
                default:
                    throw Bad($"byte {at}", $"a supported pickle opcode; found {OpName(op)} (0x{op:x2}), which torch.save does not write and PoseKD does not execute");
            }
        }
    }

    private object? Global(string module, string name)
    {
        var resolved = _resolveGlobal(module, name);
        if (resolved is not null) return resolved;
        if (!_inertAllowed(module, name))
            throw Bad("global", $"a class or function on the allow-list of checkpoint contents; found '{module}.{name}', which PoseKD refuses (it never runs it; if you trust this file, widen the list with extraAllowedGlobals / --allow-global {module}.{name})");
        return new PickleObject(module, name);
    }

    private object? Call(object? callee, object?[] args, string opcode, int at)
    {
        switch (callee)
        {
            case PickleCallable c:
                try { return c.Invoke(args); }
                catch (PthFormatException) { throw; }
                catch (Exception e) when (e is InvalidCastException or IndexOutOfRangeException or ArgumentException or OverflowException)
                { throw Bad($"{opcode} at byte {at}", $"valid arguments for {c.FullName} ({e.Message})"); }
            case PickleObject { IsGlobal: true } g:
                return new PickleObject(g.Module, g.Name) { Args = args };
            default:
                throw Bad($"{opcode} at byte {at}", $"a class or function to call, found {Describe(callee)}");
        }
    }

    private void SetItem(object? target, object? key, object? value, int at)
    {
        if (target is PickleObject { IsGlobal: false } po) { po.Items.Add(new[] { key, value }); return; }
        if (target is not Dictionary<object, object?> dict) throw Bad($"SETITEM(S) at byte {at}", $"a dict on the stack, found {Describe(target)}");
        dict[key ?? throw Bad($"SETITEM(S) at byte {at}", "a non-None dict key")] = value;
    }

    private List<object?> AsList(object? target, string opcode, int at)
        => target as List<object?> ?? (target is PickleObject { IsGlobal: false } po ? po.Items : null) ?? throw Bad($"{opcode} at byte {at}", $"a list on the stack, found {Describe(target)}");

    private object? MemoGet(long index, int at)
        => _memo.TryGetValue(index, out var v) ? v : throw Bad($"memo get at byte {at}", $"an existing memo index, found {index}");

    private void Push(object? o) => _stack.Add(o);

    private object? Peek()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks.Peek() == _stack.Count)) throw Bad($"byte {_pos - 1}", "a value on the stack");
        return _stack[^1];
    }

    private object? Pop()
    {
        var o = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return o;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Bad($"byte {_pos - 1}", "a MARK before this opcode");
        int m = _marks.Pop();
        var items = _stack.GetRange(m, _stack.Count - m);
        _stack.RemoveRange(m, _stack.Count - m);
        return items;
    }

    private object? PopFinal()
    {
        if (_stack.Count != 1 || _marks.Count != 0) throw Bad("STOP", $"exactly one value on the stack, found {_stack.Count}");
        return _stack[0];
    }

    private ReadOnlySpan<byte> ReadBytes(int n)
    {
        if (n < 0 || _pos + n > _data.Length) throw Bad($"byte {_pos}", $"{n} more bytes, the stream ends");
        var s = _data.AsSpan(_pos, n);
        _pos += n;
        return s;
    }

    private int ReadU32()
    {
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));
        if (v > int.MaxValue) throw Bad($"byte {_pos - 4}", "a length below 2^31");
        return (int)v;
    }

    private ulong ReadU64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

    private string Utf8(int n) => Encoding.UTF8.GetString(ReadBytes(n));
    private string Latin1(int n) => Encoding.Latin1.GetString(ReadBytes(n));

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Bad($"byte {_pos}", "a newline-terminated GLOBAL name");
        var s = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private object ReadLong(int n)
    {
        var bytes = ReadBytes(n);
        if (n == 0) return 0L;
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        // Two returns, not a conditional expression: ?: would convert the long branch to BigInteger too.
        if (big >= long.MinValue && big <= long.MaxValue) return (long)big;
        return big;
    }

    private static string Describe(object? o) => o switch
    {
        null => "None",
        PickleObject p => p.ToString(),
        PickleCallable c => c.ToString(),
        _ => o.GetType().Name,
    };

    private static string OpName(byte op) => op switch
    {
        0x49 => "INT", 0x4c => "LONG", 0x53 => "STRING", 0x56 => "UNICODE", 0x46 => "FLOAT",
        0x70 => "PUT", 0x67 => "GET", 0x50 => "PERSID", 0x69 => "INST", 0x6f => "OBJ",
        0x64 => "DICT", 0x6c => "LIST", 0x82 => "EXT1", 0x83 => "EXT2", 0x84 => "EXT4",
        0x96 => "BYTEARRAY8", 0x97 => "NEXT_BUFFER", 0x98 => "READONLY_BUFFER",
        _ => "an unknown opcode",
    };

    private PthFormatException Bad(string field, string expected) => new($"{_source}: {field}: expected {expected}");
}
