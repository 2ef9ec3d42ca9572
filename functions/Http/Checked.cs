using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Mvc;

namespace ReviewHub.Http;

/// <summary>Makes <see cref="Checked{T}"/> values: the only two ways there are.</summary>
internal static class Checked
{
    public static Checked<T> Passed<T>(T value) => new(value, null);

    public static Checked<T> Failed<T>(IActionResult problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new(default!, problem);
    }
}

/// <summary>
/// What a request's check gives: the value that passed it (a parsed, valid body; an app the caller may act on), or the
/// problem response that answers the request instead. Only <see cref="Checked.Passed{T}(T)"/> and
/// <see cref="Checked.Failed{T}(IActionResult)"/> make one, so a value never comes with a problem and a failure never
/// lacks one; <see cref="TryGet"/> hands out whichever it is.
/// </summary>
internal sealed class Checked<T>
{
    private readonly T value;
    private readonly IActionResult? problem;

    internal Checked(T value, IActionResult? problem)
    {
        this.value = value;
        this.problem = problem;
    }

    public bool TryGet([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out IActionResult? problem)
    {
        value = this.value;
        problem = this.problem;
        return problem is null;
    }
}
