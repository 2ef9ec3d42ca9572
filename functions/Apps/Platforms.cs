namespace ReviewHub.Apps;

internal static class Platforms
{
    public const string Ios = "ios";
    public const string MacOs = "macos";
    public const string Android = "android";

    public static readonly IReadOnlyList<string> All = [Ios, MacOs, Android];
}
