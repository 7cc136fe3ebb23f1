namespace RnnMl.MLNet.Internal;

/// <summary>Infrastructure: the (empty) row type of the placeholder RnnMl writes into ML.NET's model format. Not for direct use.</summary>
public sealed class PlaceholderRow
{
}
