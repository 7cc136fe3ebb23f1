namespace RnnMl.MLNet.Pipeline;

/// <summary>One <c>Fit</c> call of a task, whatever rows and model it has (implemented by <see cref="TaskFit{TRow, TModel, TTransformer}"/>).</summary>
internal interface ITaskFit<TTransformer>
{
    /// <summary>Runs the shared fit pipeline with the task's steps.</summary>
    TTransformer Run(IDataView trainData, IDataView? validationData, FitContext context);
}
