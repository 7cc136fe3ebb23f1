using System.Runtime.CompilerServices;

// The archive's internal readers (LegacyWeights) are tested directly.
[assembly: InternalsVisibleTo("Rnn.MLNet.Tests")]
