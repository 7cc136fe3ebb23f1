// Namespaces and the ONNX data-type alias nearly every graph writer of this assembly uses.
global using RnnMl.Export.Onnx.Proto;
global using RnnMl.Text.Export;
global using RnnMl.Torch.Models;
global using DataType = RnnMl.Export.Onnx.Proto.TensorProto.Types.DataType;
