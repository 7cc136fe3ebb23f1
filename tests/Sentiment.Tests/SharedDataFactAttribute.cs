namespace RnnMl.Samples.Sentiment.Tests;

/// <summary>A fact that is skipped, with a message saying what is missing, when its file under <c>../shared/</c> is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string relativePath)
    {
        if (SharedData.File(relativePath) is null)
            Skip = $"../shared/{relativePath} is absent; it sits beside the repository on developer and CI machines";
    }
}
