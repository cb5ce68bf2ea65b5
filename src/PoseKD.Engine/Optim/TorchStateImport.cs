using PoseKD.Engine.Serialization;

namespace PoseKD.Engine.Optim;

/// <summary>
/// Imports optimizer and scheduler state from a PyTorch checkpoint loaded with <see cref="PthReader.Load"/>
/// (the reference's <c>latest.pth</c> holds <c>'optim'</c> = <c>AdamW.state_dict()</c> and
/// <c>'sched'</c> = <c>OneCycleLR.state_dict()</c>), so that a run started with the reference resumes in PoseKD.
/// Parameter indices of the torch state are positions in <c>model.parameters()</c>, which equal
/// <see cref="Nn.Module.Parameters"/> for a module that mirrors the torch module's registration order.
/// </summary>
public static class TorchStateImport
{
    /// <summary>
    /// Loads a torch <c>AdamW.state_dict()</c> (one param group, amsgrad false) into <paramref name="optimizer"/>:
    /// lr, betas, eps, weight_decay and the per-parameter step / exp_avg / exp_avg_sq.
    /// </summary>
    public static void LoadAdamW(AdamW optimizer, object? torchOptimizerState, string source)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var root = torchOptimizerState as Dictionary<object, object?> ?? throw Bad(source, "optim", "a dict with 'state' and 'param_groups'");
        var groups = Get(root, "param_groups", source) as List<object?> ?? throw Bad(source, "optim.param_groups", "a list");
        if (groups.Count != 1) throw Bad(source, "optim.param_groups", $"exactly one parameter group, found {groups.Count}");
        var group = groups[0] as Dictionary<object, object?> ?? throw Bad(source, "optim.param_groups[0]", "a dict");
        var ids = (Get(group, "params", source) as List<object?> ?? throw Bad(source, "optim.param_groups[0].params", "a list")).Select(o => o as long? ?? -1).ToList();
        if (ids.Count != optimizer.Parameters.Count)
            throw Bad(source, "optim.param_groups[0].params", $"{optimizer.Parameters.Count} parameters (this model's), found {ids.Count}");
        if (Get(group, "amsgrad", source) is true) throw Bad(source, "optim.param_groups[0].amsgrad", "false (AMSGrad is not supported)");
        var betas = Get(group, "betas", source) as object?[] ?? throw Bad(source, "optim.param_groups[0].betas", "a tuple (beta1, beta2)");
        var state = new Dictionary<string, NamedArray>(StringComparer.Ordinal)
        {
            ["lr"] = NamedArray.Float64Scalar(Number(Get(group, "lr", source), source, "lr")),
            ["beta1"] = NamedArray.Float64Scalar(Number(betas[0], source, "betas[0]")),
            ["beta2"] = NamedArray.Float64Scalar(Number(betas[1], source, "betas[1]")),
            ["eps"] = NamedArray.Float64Scalar(Number(Get(group, "eps", source), source, "eps")),
            ["weight_decay"] = NamedArray.Float64Scalar(Number(Get(group, "weight_decay", source), source, "weight_decay")),
        };
        var perParam = Get(root, "state", source) as Dictionary<object, object?> ?? throw Bad(source, "optim.state", "a dict");
        for (int i = 0; i < ids.Count; i++)
        {
            if (!perParam.TryGetValue(ids[i], out var s) || s is not Dictionary<object, object?> ps) continue;
            long step = Get(ps, "step", source) switch
            {
                NamedArray t => (long)(t.Int64Data?[0] ?? t.Data[0]),
                long l => l,
                double d => (long)d,
                var other => throw Bad(source, $"optim.state[{ids[i]}].step", $"a number or tensor, found {other}"),
            };
            state[$"state.{i}.step"] = NamedArray.Int64Scalar(step);
            state[$"state.{i}.exp_avg"] = Get(ps, "exp_avg", source) as NamedArray ?? throw Bad(source, $"optim.state[{ids[i]}].exp_avg", "a tensor");
            state[$"state.{i}.exp_avg_sq"] = Get(ps, "exp_avg_sq", source) as NamedArray ?? throw Bad(source, $"optim.state[{ids[i]}].exp_avg_sq", "a tensor");
        }
        optimizer.LoadStateDict(state);
    }

    /// <summary>Loads a torch <c>OneCycleLR.state_dict()</c>: checks total_steps and restores last_epoch.</summary>
    public static void LoadOneCycleLR(OneCycleLR scheduler, object? torchSchedulerState, string source)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        var root = torchSchedulerState as Dictionary<object, object?> ?? throw Bad(source, "sched", "a dict");
        long total = Get(root, "total_steps", source) as long? ?? throw Bad(source, "sched.total_steps", "an integer");
        long last = Get(root, "last_epoch", source) as long? ?? throw Bad(source, "sched.last_epoch", "an integer");
        scheduler.LoadStateDict(new Dictionary<string, NamedArray>
        {
            ["total_steps"] = NamedArray.Int64Scalar(total),
            ["max_lr"] = NamedArray.Float64Scalar(scheduler.Schedule.MaxLr),
            ["last_epoch"] = NamedArray.Int64Scalar(last),
        });
    }

    private static object? Get(Dictionary<object, object?> d, string key, string source)
        => d.TryGetValue(key, out var v) ? v : throw Bad(source, key, "this entry to be present");

    private static double Number(object? o, string source, string field) => o switch
    {
        double d => d,
        long l => l,
        _ => throw Bad(source, field, $"a number, found {o ?? "None"}"),
    };

    private static PthFormatException Bad(string source, string field, string expected) => new($"{source}: {field}: expected {expected}");
}
