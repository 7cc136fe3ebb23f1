using System.Runtime.CompilerServices;

// The beam search's block size (BeamSearchDecoder.Decode's internal overload) is set by its tests, never by users.
[assembly: InternalsVisibleTo("Rnn.Torch.Tests")]
