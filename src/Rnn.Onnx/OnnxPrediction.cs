namespace RnnMl.Onnx;

/// <summary>One text's prediction from an exported classifier.</summary>
/// <param name="PredictedClass">The index of the class with the highest score (the first one on a tie).</param>
/// <param name="PredictedLabel">That class's name (from the exported class names, else its index as text).</param>
/// <param name="Scores">The C logits.</param>
/// <param name="Probabilities">The C class probabilities (softmax of the scores).</param>
public sealed record OnnxPrediction(int PredictedClass, string PredictedLabel, float[] Scores, float[] Probabilities);
