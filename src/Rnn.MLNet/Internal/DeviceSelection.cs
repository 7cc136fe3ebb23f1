using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>Picks the torch device as ML.NET's own torch trainers do: MLContext.GpuDeviceId, else CPU.</summary>
internal static class DeviceSelection
{
    public static Device Choose(int? gpuDeviceId, bool fallbackToCpu, IChannel channel)
    {
        if (gpuDeviceId is null) return CPU;
        if (gpuDeviceId < 0)
            throw new ArgumentOutOfRangeException("GpuDeviceId", gpuDeviceId, $"MLContext.GpuDeviceId must be null or a device index of at least 0, got {gpuDeviceId}");
        if (cuda.is_available() && gpuDeviceId < cuda.device_count())
            return new Device(DeviceType.CUDA, gpuDeviceId.Value);
        var why = cuda.is_available()
            ? $"GPU {gpuDeviceId} does not exist (this machine has {cuda.device_count()})"
            : "CUDA is not available (no GPU, or TorchSharp's CPU-only native package is installed)";
        if (fallbackToCpu)
        {
            channel.Warning(MessageSensitivity.None, $"MLContext.GpuDeviceId is {gpuDeviceId} but {why}; training on the CPU because MLContext.FallbackToCpu is true.");
            return CPU;
        }
        throw new InvalidOperationException($"MLContext.GpuDeviceId is {gpuDeviceId} but {why}. Set MLContext.FallbackToCpu = true to train on the CPU instead, or leave GpuDeviceId null.");
    }
}
