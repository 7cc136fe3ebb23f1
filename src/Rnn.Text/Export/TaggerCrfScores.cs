namespace RnnMl.Text.Export;

/// <summary>A linear-chain CRF's scores as exported: what <see cref="Tagging.Viterbi.Decode"/> takes.</summary>
/// <param name="Start">(K) start scores.</param>
/// <param name="End">(K) end scores.</param>
/// <param name="Transitions">(K·K) row-major: [i·K + j] scores tag j after tag i.</param>
public sealed record TaggerCrfScores(IReadOnlyList<double> Start, IReadOnlyList<double> End, IReadOnlyList<double> Transitions);
