// Consumer test, app 2 (references RnnMl.Onnx only: no TorchSharp, no libtorch): scores DIR/texts.txt with
// DIR/model.onnx on ONNX Runtime and writes the probability of class "True" for each to DIR/scores-onnx.txt.
using System.Globalization;
using RnnMl.Onnx;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: OnnxScore DIR");
    return 2;
}
using var classifier = OnnxTextClassifier.Load(Path.Combine(args[0], "model.onnx"));
var texts = File.ReadAllLines(Path.Combine(args[0], "texts.txt"));
var predictions = classifier.Predict(texts);
File.WriteAllLines(Path.Combine(args[0], "scores-onnx.txt"), predictions.Select(p => p.Probabilities[1].ToString("R", CultureInfo.InvariantCulture)));
if (AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "TorchSharp"))
{
    Console.Error.WriteLine("OnnxScore: TorchSharp was loaded");
    return 1;
}
return 0;
