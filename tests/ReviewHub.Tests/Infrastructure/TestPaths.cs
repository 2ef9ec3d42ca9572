using System.Reflection;

namespace ReviewHub.Tests.Infrastructure;

internal static class TestPaths
{
    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!;

    /// <summary>The function app's build output: functions.metadata, host.json, the app assembly.</summary>
    public static string FunctionAppOutput => Path.GetFullPath(Metadata("FunctionAppOutput"));

    public static string RepositoryRoot => Path.GetFullPath(Metadata("RepositoryRoot"));
}
