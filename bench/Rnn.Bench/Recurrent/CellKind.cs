namespace RnnMl.Bench;

/// <summary>The recurrent cell a benchmark configuration runs.</summary>
internal enum CellKind
{
    Lstm,
    Gru,
    Rnn,
}
