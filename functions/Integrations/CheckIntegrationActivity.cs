using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using ReviewHub.AppStoreConnect;

namespace ReviewHub.Integrations;

/// <summary>
/// One check of App Store Connect for the setup's attempt, with the attempt's deadline as it stands after it (the time
/// operators made the customer wait is added when their wait ends) and whether it has come, by this activity's clock.
/// Writes only while the row still runs the attempt; decisive answers are returned, only transient failures throw
/// (for the orchestration's retry policy).
/// </summary>
internal sealed class CheckIntegrationActivity(
    IntegrationStore store,
    AppStoreConnectCredentialStore credentials,
    AppStoreConnectUserDirectory directory,
    TeamKeyVerifier teamKeys,
    TimeProvider clock,
    ILogger<CheckIntegrationActivity> logger) : TaskActivity<IntegrationAttempt, CheckResult>
{
    private static readonly CheckResult Gone = new(CheckState.Gone, []);

    public override Task<CheckResult> RunAsync(TaskActivityContext context, IntegrationAttempt input) =>
        ExecuteAsync(input, CancellationToken.None);

    public async Task<CheckResult> ExecuteAsync(IntegrationAttempt input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = await CheckAppStoreConnectAsync(input, cancellationToken);
        if (result.State is CheckState.Gone or CheckState.Verified
            || await store.GetConnectionAsync(input.AccountId, input.ConnectionId, cancellationToken)
                is not { } row || row.AttemptId != input.AttemptId)
        {
            return result;
        }
        return result with { Deadline = row.Deadline, DeadlineReached = clock.GetUtcNow() >= row.Deadline };
    }

    private async Task<CheckResult> CheckAppStoreConnectAsync(IntegrationAttempt attempt,
        CancellationToken cancellationToken)
    {
        var row = await store.GetConnectionAsync(attempt.AccountId, attempt.ConnectionId, cancellationToken);
        if (row is null || row.AttemptId != attempt.AttemptId || !row.IsInProgress)
        {
            return Gone;
        }
        if (row.StatusValue == IntegrationStatus.Activating)
        {
            // Verified, but the activation stopped before its last step: a re-run resumes it without asking ASC again.
            var granted = (row.GrantedRoles ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);
            return new CheckResult(CheckState.Verified, granted);
        }
        if (row.CredentialReference is null)
        {
            return await AwaitCredentialAsync(attempt, cancellationToken);
        }

        AppStoreConnectMembership? membership;
        try
        {
            var credential = await credentials.LoadAsync(row.CredentialReference, cancellationToken);
            if (row.MethodValue == ConnectionMethod.TeamKey)
            {
                // A team key has no integration user: it is verified by what it can do (its role cannot be read).
                await teamKeys.VerifyAsync(credential, attempt.Kind, cancellationToken);
                return new CheckResult(CheckState.Verified, []);
            }
            membership = await directory.FindAsync(credential, attempt.IntegrationEmail, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            logger.LogError(ex, "The App Store Connect credential of {AccountId}/{ConnectionId} cannot be loaded",
                attempt.AccountId, attempt.ConnectionId);
            await store.RecordCheckAsync(attempt,
                "The registered API key is missing from the vault; operators must register it again.",
                clock.GetUtcNow(), cancellationToken, IntegrationStatus.AwaitingOperator);
            return new CheckResult(CheckState.AwaitingCredential, []);
        }
        catch (AppStoreConnectException ex) when (!ex.IsTransient)
        {
            logger.LogWarning("Integration check of {AccountId}/{ConnectionId} refused: {Failure} {Code}",
                attempt.AccountId, attempt.ConnectionId, ex.Failure, ex.Code);
            await store.RecordCheckAsync(attempt, Explain(ex), clock.GetUtcNow(), cancellationToken,
                observed: Observation(ex));
            return new CheckResult(CheckState.CredentialRejected, []);
        }
        catch (AppStoreConnectException ex)
        {
            // No answer: the status and the last observation stay what App Store Connect said before.
            await store.RecordCheckAsync(attempt,
                $"App Store Connect is not answering ({ex.Failure}); ReviewHub keeps retrying.", clock.GetUtcNow(),
                cancellationToken);
            throw;
        }
        return await RecordMembershipAsync(attempt, membership, cancellationToken);
    }

    /// <summary>No key yet: the attempt waits on operators to register one.</summary>
    private async Task<CheckResult> AwaitCredentialAsync(
        IntegrationAttempt attempt, CancellationToken cancellationToken)
    {
        var checkedAt = clock.GetUtcNow();
        await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
        {
            r.LastCheckedAt = checkedAt;
            if (r.CredentialReference is null) // a key registered since the read above keeps the status it set
            {
                r.Status = nameof(IntegrationStatus.AwaitingOperator);
                r.LastError = null;
            }
        }, cancellationToken);
        return new CheckResult(CheckState.AwaitingCredential, []);
    }

    /// <summary>What the team's Users and Access says of the integration user: verified, or what is missing.</summary>
    private async Task<CheckResult> RecordMembershipAsync(
        IntegrationAttempt attempt, AppStoreConnectMembership? membership, CancellationToken cancellationToken)
    {
        if (membership is null)
        {
            await store.RecordCheckAsync(attempt,
                $"App Store Connect has no user or invitation for {attempt.IntegrationEmail}: "
                + "invite it in Users and Access.",
                clock.GetUtcNow(), cancellationToken, IntegrationStatus.InvitationPending,
                AppStoreConnectObservation.NotInvited);
            return new CheckResult(CheckState.NotInvited, []);
        }

        var evaluation = IntegrationRoles.Evaluate(attempt.Kind, membership.Roles);
        var now = clock.GetUtcNow();
        if (membership.IsUser && evaluation.Satisfied)
        {
            return new CheckResult(CheckState.Verified, membership.Roles);
        }
        var expired = membership.InvitationExpiresAt < now;
        await store.UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
        {
            r.Status = membership.IsUser ? nameof(IntegrationStatus.RolesMissing)
                : nameof(IntegrationStatus.InvitationPending);
            r.MissingRoles = evaluation.Missing.Count == 0 ? null : string.Join(',', evaluation.Missing);
            r.GrantedRoles = string.Join(',', membership.Roles);
            r.LastCheckedAt = now;
            r.LastObservedAt = now;
            r.LastObservation = (membership.IsUser ? AppStoreConnectObservation.RolesMissing
                : expired ? AppStoreConnectObservation.InvitationExpired
                : AppStoreConnectObservation.InvitationPending).ToString();
            r.LastError = expired
                ? $"The invitation expired on {membership.InvitationExpiresAt:yyyy-MM-dd}: resend it in App Store " +
                    $"Connect (Users and Access)."
                : null;
        }, cancellationToken);
        return new CheckResult(membership.IsUser ? CheckState.RolesMissing : CheckState.InvitationPending,
            membership.Roles);
    }

    private static string Explain(AppStoreConnectException ex) => ex.Failure switch
    {
        AppStoreConnectFailure.Forbidden =>
            "The registered API key may not list users and invitations (403); operators must register a key with the " +
                "Admin role.",
        AppStoreConnectFailure.NotAuthorized =>
            "App Store Connect rejected the registered API key (401); operators must register a valid key.",
        AppStoreConnectFailure.AgreementsMissing =>
            "The Account Holder must accept Apple's latest agreements in App Store Connect (Business) before the API " +
                "can be used.",
        _ => $"App Store Connect could not answer the check ({ex.Failure}).",
    };

    private static AppStoreConnectObservation? Observation(AppStoreConnectException ex) => ex.Failure switch
    {
        AppStoreConnectFailure.Forbidden or AppStoreConnectFailure.NotAuthorized =>
            AppStoreConnectObservation.KeyRefused,
        AppStoreConnectFailure.AgreementsMissing => AppStoreConnectObservation.AgreementsMissing,
        _ => null,
    };
}
