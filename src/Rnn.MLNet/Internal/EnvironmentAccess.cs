using System.Reflection;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// Reaches the MLContext settings behind a trainer catalog. ML.NET keeps the catalog's environment, and the
/// environment's seed and GPU settings, internal (re-checked on Microsoft.ML 6.0.0: the catalog's <c>Owner</c> and
/// <c>Environment</c> are still non-public and no public accessor was added); RnnMl reads them by reflection here, in
/// this one place, and EnvironmentAccessTests guards it (RnnMl pins Microsoft.ML 6.0.0).
/// </summary>
internal static class EnvironmentAccess
{
    public static IHostEnvironment From(object trainerCatalog)
    {
        ArgumentNullException.ThrowIfNull(trainerCatalog);
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var owner = trainerCatalog.GetType().GetProperty("Owner", flags)?.GetValue(trainerCatalog);
        var env = owner?.GetType().GetProperty("Environment", flags)?.GetValue(owner) as IHostEnvironment;
        // Transform catalogs such as TransformsCatalog.TextTransforms have no owner but hold the environment themselves.
        env ??= trainerCatalog.GetType().GetFields(flags).Where(f => typeof(IHostEnvironment).IsAssignableFrom(f.FieldType))
            .Select(f => f.GetValue(trainerCatalog) as IHostEnvironment).FirstOrDefault(e => e is not null);
        // Catalogs deriving from TrainCatalogBase (ForecastingCatalog) hold it as the base class's non-public Environment property.
        for (var type = trainerCatalog.GetType(); env is null && type is not null; type = type.BaseType)
            env = type.GetProperty("Environment", flags | BindingFlags.DeclaredOnly)?.GetValue(trainerCatalog) as IHostEnvironment;
        return env ?? throw new InvalidOperationException(
            $"RnnMl could not reach the MLContext behind {trainerCatalog.GetType().Name} (this version of ML.NET differs from the 6.0.0 RnnMl was built for)");
    }

    /// <summary>MLContext.GpuDeviceId of the context behind <paramref name="env"/>.</summary>
    public static int? GpuDeviceId(IHostEnvironment env) => env is MLContext ml ? ml.GpuDeviceId : Read<int?>(env, "GpuDeviceId");

    /// <summary>MLContext.FallbackToCpu of the context behind <paramref name="env"/>.</summary>
    public static bool FallbackToCpu(IHostEnvironment env) => env is MLContext ml ? ml.FallbackToCpu : Read<bool>(env, "FallbackToCpu");

    private static T Read<T>(IHostEnvironment env, string name)
    {
        var property = env.GetType().GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        if (property is null || !typeof(T).IsAssignableFrom(property.PropertyType))
            throw new InvalidOperationException($"RnnMl could not read {name} from the ML.NET environment {env.GetType().Name} (ML.NET differs from 6.0.0)");
        return (T)property.GetValue(env)!;
    }
}
