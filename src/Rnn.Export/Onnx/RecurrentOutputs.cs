namespace RnnMl.Export.Onnx;

/// <summary>The values an exported recurrent layer produces (names in the graph).</summary>
/// <param name="Output">The top layer's output (T, N, D·H).</param>
/// <param name="FinalH">Per layer, the final hidden state (D, N, H): forward at each sequence's last valid step, reverse at step 0.</param>
/// <param name="FinalC">Per layer, the final LSTM cell state (D, N, H); null for RNN and GRU.</param>
internal sealed record RecurrentOutputs(string Output, string[] FinalH, string[]? FinalC);
