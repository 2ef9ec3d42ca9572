using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ReviewHub.Http;

namespace ReviewHub.Accounts;

/// <summary>The 403 a member gets when their role does not allow a request, with the role that would.</summary>
internal static class AccountAccess
{
    public const string RoleNotAllowedType = "https://reviewhub.app/problems/role-not-allowed";

    public static ObjectResult Denied(string role, AccountPermission permission)
    {
        var needed = permission switch
        {
            AccountPermission.WriteReplies => "member, approver or owner",
            AccountPermission.ApproveReplies => "approver or owner",
            _ => "any member",
        };
        return Problems.Create(
            StatusCodes.Status403Forbidden,
            "Not allowed.",
            $"Your role in this account ({role}) does not allow this; it needs the role {needed}. " +
            "The account's owner can change roles.",
            RoleNotAllowedType);
    }
}
