namespace PoseKD.Engine.Serialization;

/// <summary>
/// An inert record of a Python object whose class is not on the .pth allow-list (for example the
/// bound method <c>anneal_func</c> that <c>OneCycleLR.state_dict()</c> pickles). Nothing is ever
/// constructed or called: the record only keeps the class name, the constructor arguments and the
/// state the pickle stream would have passed to it.
/// </summary>
public sealed class PickleObject
{
    /// <summary>Creates a record for <c>module.name</c>.</summary>
    public PickleObject(string module, string name) { Module = module; Name = name; }

    /// <summary>Python module of the class or function (<c>torch.optim.lr_scheduler</c>).</summary>
    public string Module { get; }

    /// <summary>Class or function name (<c>OneCycleLR</c>).</summary>
    public string Name { get; }

    /// <summary>Arguments of the REDUCE/NEWOBJ that would have built the object (null for a bare global).</summary>
    public object?[]? Args { get; internal set; }

    /// <summary>State a BUILD opcode would have applied (null if none).</summary>
    public object? State { get; internal set; }

    /// <summary>Items that SETITEM(S) (as (key, value) tuples) or APPEND(S) added to the record.</summary>
    public List<object?> Items { get; } = new();

    /// <summary>True for the bare class/function reference (GLOBAL), false for an "instance" of it.</summary>
    public bool IsGlobal => Args is null;

    /// <summary>Dotted name <c>module.name</c>.</summary>
    public string FullName => $"{Module}.{Name}";

    /// <inheritdoc />
    public override string ToString() => IsGlobal ? $"<global {FullName}>" : $"<{FullName} object>";
}
