using PoseKD.Data.Loading;
using PoseKD.Model.Network;
using PoseKD.Training.Evaluation;
using PoseKD.Training.Loop;

namespace PoseKD.Training.Hooks;

/// <summary>Evaluates the teacher once before distillation (as the reference does) so its accuracy is reported beside the student's.</summary>
public sealed class TeacherEvaluationHook : ITrainHook
{
    private readonly Func<IEnumerable<Batch>> _batches;

    /// <summary>Evaluates <paramref name="teacher"/> on <paramref name="batches"/> before the first step.</summary>
    public TeacherEvaluationHook(PoseNet teacher, PoseTester tester, Func<IEnumerable<Batch>> batches)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(tester);
        ArgumentNullException.ThrowIfNull(batches);
        Teacher = teacher; Tester = tester; _batches = batches;
    }

    /// <summary>The teacher.</summary>
    public PoseNet Teacher { get; }
    /// <summary>The evaluator.</summary>
    public PoseTester Tester { get; }
    /// <summary>The teacher's result.</summary>
    public EvaluationResult? Result { get; private set; }

    /// <inheritdoc />
    public void BeforeTrain(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        Result = Tester.Evaluate(Teacher, _batches());
        Teacher.Eval();
        trainer.Events.Text(trainer.Step, "teacher", EvaluationWriter.Describe(Result));
        trainer.Events.Scalars(trainer.Step, EvaluationWriter.Scalars(Result, "teacher/"));
    }
}
