using Microsoft.ML.Transforms;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// Infrastructure: stands in ML.NET's model format where an RnnMl transformer was. Loading such a file with plain
/// <c>mlContext.Model.Load</c> fails with a message that names <see cref="RnnModelOperations.LoadRnnModel"/>. Not for direct use.
/// </summary>
[CustomMappingFactoryAttribute(ModelArchive.ContractName)]
public sealed class PlaceholderMappingFactory : CustomMappingFactory<PlaceholderRow, PlaceholderRow>
{
    /// <summary>Returns a no-op mapping while <see cref="RnnModelOperations.LoadRnnModel"/> is loading; throws otherwise.</summary>
    public override Action<PlaceholderRow, PlaceholderRow> GetMapping()
    {
        if (!ModelArchive.IsLoading) throw new InvalidOperationException(ModelArchive.LoadInstead);
        return static (_, _) => { };
    }
}
