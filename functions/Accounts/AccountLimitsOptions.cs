using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ReviewHub.Http;

namespace ReviewHub.Accounts;

/// <summary>
/// How much one account may hold, bound from <c>Limits__*</c>. Each limit caps a cost that grows with what customers
/// register (territories: one feed request per territory per fetch; routes: one send per review). Creations past a
/// limit answer 409 with the <see cref="ProblemType"/> problem. The counts are read before the write, so requests
/// racing for the last slot may each get it: a limit can be exceeded by the number of such concurrent requests, never
/// more.
/// </summary>
internal sealed class AccountLimitsOptions
{
    public const string Section = "Limits";

    public const string ProblemType = "https://reviewhub.app/problems/limit-exceeded";

    [Range(1, 10_000)]
    public int AppsPerAccount { get; set; } = 50;

    [Range(1, 1_000)]
    public int RoutesPerApp { get; set; } = 20;

    /// <summary>At most the number of App Store territories; registration never accepts more than 200 anyway.</summary>
    [Range(1, 200)]
    public int TerritoriesPerApp { get; set; } = 50;

    [Range(1, 10_000)]
    public int MembersPerAccount { get; set; } = 100;

    /// <summary>
    /// 409 naming the limit (<c>limit</c>, as in the setting) and its value (<c>max</c>), so the SPA can explain it.
    /// </summary>
    public static ObjectResult Exceeded(string limit, int max, string detail)
    {
        var problem = Problems.Create(
            StatusCodes.Status409Conflict,
            "A limit of this account is reached.",
            detail,
            ProblemType
        );
        var details = (ProblemDetails)problem.Value!;
        details.Extensions["limit"] = limit;
        details.Extensions["max"] = max;
        return problem;
    }
}
