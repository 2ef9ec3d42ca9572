using Microsoft.AspNetCore.Mvc;
using ReviewHub.Storage;

namespace ReviewHub.Http;

/// <summary>
/// Ids in request paths (every route value named <c>…Id</c>: accountId, appId, routeId, reviewId, userId, and any a
/// later endpoint adds) must be usable as table keys before a function sees them: one with <c>/ \ # ?</c>, a control
/// character or more than 512 characters answers 400 naming the parameter. Well-formed ids that name nothing still
/// answer 404 from the function.
/// </summary>
internal static class RouteIds
{
    public static IActionResult? Check(IEnumerable<KeyValuePair<string, object?>> routeValues)
    {
        var errors = new ValidationErrors();
        foreach (var (name, value) in routeValues)
        {
            if (name.EndsWith("Id", StringComparison.Ordinal) && value is string id && !TableKeys.IsValid(id))
            {
                errors.Add(name, TableKeys.Rule);
            }
        }
        return errors.IsEmpty ? null : Problems.Validation(errors);
    }
}
