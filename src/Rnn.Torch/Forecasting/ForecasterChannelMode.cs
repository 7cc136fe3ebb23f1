namespace RnnMl.Torch.Forecasting;

/// <summary>How a <see cref="SegmentRecurrentForecaster"/> reads the C channels of a window.</summary>
public enum ForecasterChannelMode
{
    /// <summary>Each channel of each window is its own sequence of scalars, all channels sharing one set of weights
    /// (SegRNN, PatchTST): a channel's forecast does not depend on what the other channels hold, and the model takes any C.</summary>
    Independent = 0,

    /// <summary>Each window is one sequence of C-dimensional steps and the head forecasts all C channels at once (C × H
    /// values), so a channel's forecast can use the other channels; C is fixed when the model is created.</summary>
    Joint = 1,
}
