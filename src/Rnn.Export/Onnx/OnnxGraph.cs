using System.Runtime.InteropServices;
using Google.Protobuf;

namespace RnnMl.Export.Onnx;

/// <summary>
/// Builds one ONNX graph node by node with unique value names: inputs and outputs with dynamic dimensions,
/// float and int64 initializers (raw little-endian data), and nodes of the default domain. The pieces of every exported
/// model (<see cref="OnnxLayers"/>) write into one of these; <see cref="ToModel"/> wraps it in a model of opset
/// <see cref="OnnxExporter.Opset"/>.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly GraphProto graph;
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> counters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> constants = new(StringComparer.Ordinal);

    public OnnxGraph(string name) => graph = new GraphProto { Name = name };

    /// <summary>A value name not used yet, <paramref name="prefix"/> itself if it is free.</summary>
    public string Unique(string prefix)
    {
        if (names.Add(prefix)) return prefix;
        for (int k = counters.GetValueOrDefault(prefix) + 1; ; k++)
        {
            var candidate = $"{prefix}_{k}";
            if (names.Add(candidate))
            {
                counters[prefix] = k;
                return candidate;
            }
        }
    }

    /// <summary>Declares a graph input; each dimension is a <see cref="long"/> (fixed) or a <see cref="string"/> (dynamic, named).</summary>
    public string Input(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        Reserve(name);
        graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares <paramref name="value"/> (already produced by a node) as a graph output.</summary>
    public void Output(string value, TensorProto.Types.DataType type, params object[] dims) => graph.Output.Add(ValueInfo(value, type, dims));

    /// <summary>Adds a float initializer of shape <paramref name="dims"/> (row-major <paramref name="values"/>).</summary>
    public string Floats(string name, float[] values, params long[] dims)
    {
        CheckCount(name, values.Length, dims);
        return Add(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values.AsSpan()), dims);
    }

    /// <summary>Adds an int64 initializer of shape <paramref name="dims"/>.</summary>
    public string Int64s(string name, long[] values, params long[] dims)
    {
        CheckCount(name, values.Length, dims);
        return Add(name, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values.AsSpan()), dims);
    }

    /// <summary>A 1-D int64 constant (axes, shapes); the same name and values give the same initializer.</summary>
    public string Vector(string name, params long[] values) =>
        Constant($"{name}|i64[{string.Join(",", values)}]", () => Int64s(name, values, values.Length));

    /// <summary>A 0-D int64 constant; the same name and value give the same initializer.</summary>
    public string Scalar(string name, long value) => Constant($"{name}|i64:{value}", () => Int64s(name, new[] { value }));

    /// <summary>A 0-D float constant; the same name and value give the same initializer.</summary>
    public string Scalar(string name, float value) =>
        Constant($"{name}|f32:{BitConverter.SingleToInt32Bits(value)}", () => Floats(name, new[] { value }));

    /// <summary>Adds a node with <paramref name="outputs"/> fresh outputs named after <paramref name="name"/>; returns their names.
    /// An empty input name means an optional input left out.</summary>
    public string[] Node(string op, string name, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Unique("node_" + name) };
        node.Input.AddRange(inputs);
        var result = new string[outputs];
        for (int i = 0; i < outputs; i++) result[i] = Unique(outputs == 1 ? name : $"{name}_{i}");
        node.Output.AddRange(result);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return result;
    }

    /// <summary>Adds a node with one output; returns its name.</summary>
    public string Node(string op, string name, string[] inputs, params AttributeProto[] attributes) => Node(op, name, inputs, 1, attributes)[0];

    /// <summary>Adds a node whose one output has the exact name <paramref name="output"/> (for graph outputs).</summary>
    public string NodeNamed(string op, string output, string[] inputs, params AttributeProto[] attributes)
    {
        Reserve(output);
        var node = new NodeProto { OpType = op, Name = Unique("node_" + output) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return output;
    }

    /// <summary>The model: this graph, IR version 8, the default domain at opset <see cref="OnnxExporter.Opset"/>, and <paramref name="metadata"/>.</summary>
    public ModelProto ToModel(IEnumerable<KeyValuePair<string, string>> metadata, string docString)
    {
        var model = new ModelProto
        {
            IrVersion = (long)Proto.Version.IrVersion2021730,
            ProducerName = "RnnMl",
            ProducerVersion = typeof(OnnxGraph).Assembly.GetName().Version?.ToString() ?? "",
            ModelVersion = 1,
            DocString = docString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxExporter.Opset });
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attr(string name, long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Attr(string name, string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    private string Add(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, long[] dims)
    {
        // raw_data is little-endian by ONNX's definition; the bytes are copied as they sit in memory.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX export writes raw little-endian tensors and needs a little-endian machine");
        var unique = Unique(name);
        var tensor = new TensorProto { Name = unique, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        graph.Initializer.Add(tensor);
        return unique;
    }

    private string Constant(string key, Func<string> add)
    {
        if (!constants.TryGetValue(key, out var name)) constants[key] = name = add();
        return name;
    }

    private void Reserve(string name)
    {
        if (!names.Add(name)) throw new InvalidOperationException($"the graph already has a value named '{name}'");
    }

    private static void CheckCount(string name, int count, long[] dims)
    {
        long expected = dims.Aggregate(1L, (a, d) => a * d);
        if (expected != count)
            throw new InvalidOperationException($"initializer '{name}' of shape [{string.Join(", ", dims)}] needs {expected} values, got {count}");
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                long v => new TensorShapeProto.Types.Dimension { DimValue = v },
                int v => new TensorShapeProto.Types.Dimension { DimValue = v },
                string p => new TensorShapeProto.Types.Dimension { DimParam = p },
                _ => throw new ArgumentException($"a dimension must be a number or a name, got {d?.GetType().Name ?? "null"}", nameof(dims)),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
