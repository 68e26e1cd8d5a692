"""The org limits GET /limits lists, beside the counted DailyApiRequests.

Names: REST API Developer Guide, "Limits" (the response body table), v64.0
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
and "List Org Limits" (each limit is {"Max": N, "Remaining": N})
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_limits.htm
The Max values are an Enterprise Edition org's usual allocations (UNVERIFIED: they vary by edition
and licenses; the guide gives none). Nothing here is consumed, so Remaining equals Max, except the
storage figures, which a fresh org uses a little of.
"""

from __future__ import annotations

from typing import Any

# name -> Max, in the guide's table order (DailyApiRequests is added by the store, counted).
STATIC_LIMITS: dict[str, int] = {
    "AnalyticsExternalDataSizeMB": 40960,
    "ConcurrentAsyncGetReportInstances": 200,
    "ConcurrentEinsteinDataInsightsStoryCreation": 5,
    "ConcurrentEinsteinDiscoveryStoryCreation": 2,
    "ConcurrentSyncReportRuns": 20,
    "HourlyAsyncReportRuns": 1200,
    "HourlySyncReportRuns": 500,
    "HourlyDashboardRefreshes": 200,
    "HourlyDashboardResults": 5000,
    "HourlyDashboardStatuses": 999999999,
    "DailyAnalyticsDataflowJobExecutions": 60,
    "DailyAnalyticsUploadedFilesSizeMB": 51200,
    "DailyEinsteinDataInsightsStoryCreation": 1000,
    "DailyEinsteinDiscoveryPredictAPICalls": 50000,
    "DailyEinsteinDiscoveryPredictionsByCDC": 500000,
    "DailyEinsteinDiscoveryOptimizationJobRuns": 25,
    "DailyEinsteinDiscoveryStoryCreation": 100,
    "MonthlyEinsteinDiscoveryStoryCreation": 500,
    "MassEmail": 5000,
    "SingleEmail": 5000,
    "DailyAsyncApexExecutions": 250000,
    "DailyAsyncApexTests": 500,
    "DailyBulkApiBatches": 15000,
    "DailyBulkV2QueryFileStorageMB": 976562,
    "DailyBulkV2QueryJobs": 10000,
    "HourlyPublishedPlatformEvents": 250000,
    "HourlyPublishedStandardVolumePlatformEvents": 1000,
    "DailyStandardVolumePlatformEvents": 10000,
    "PlatformEventTriggersWithParallelProcessing": 5,
    "DailyDeliveredPlatformEvents": 50000,
    "MonthlyPlatformEventsUsageEntitlement": 0,
    "PrivateConnectOutboundCalloutHourlyLimitMB": 0,
    "HourlyLongTermIdMapping": 100000,
    "HourlyODataCallout": 20000,
    "HourlyShortTermIdMapping": 100000,
    "ActiveScratchOrgs": 3,
    "DailyScratchOrgs": 6,
    "Package2VersionCreates": 6,
    "Package2VersionCreatesWithoutValidation": 500,
    "DailyFunctionsApiCallLimit": 235000,
    "DataStorageMB": 5,
    "FileStorageMB": 20,
    "DailyDurableGenericStreamingApiEvents": 200000,
    "DailyDurableStreamingApiEvents": 200000,
    "DurableStreamingApiConcurrentClients": 2000,
    "DailyGenericStreamingApiEvents": 10000,
    "DailyStreamingApiEvents": 200000,
    "StreamingApiConcurrentClients": 2000,
    "DailyWorkflowEmails": 2000000,
    "HourlyTimeBasedWorkflow": 1000,
}
# What a fresh org already uses of its storage (UNVERIFIED: a new org's sample data takes a little).
_USED = {"DataStorageMB": 1, "FileStorageMB": 1}
# PermissionSets nests CreateCustom, per the table ("CreateCustom: maximum number of allowed custom
# permission sets"); the numbers are UNVERIFIED.
_PERMISSION_SETS_MAX = 1500
_CREATE_CUSTOM_MAX = 1000


def org_limits(daily_max: int, daily_used: int, custom_permission_sets: int) -> dict[str, Any]:
    """The /limits body: DailyApiRequests counted, permission sets counted, the rest at Max."""
    out: dict[str, Any] = {
        "DailyApiRequests": {"Max": daily_max, "Remaining": max(0, daily_max - daily_used)}
    }
    for name, top in STATIC_LIMITS.items():
        out[name] = {"Max": top, "Remaining": max(0, top - _USED.get(name, 0))}
    out["PermissionSets"] = {
        "Max": _PERMISSION_SETS_MAX,
        "Remaining": max(0, _PERMISSION_SETS_MAX - custom_permission_sets),
        "CreateCustom": {
            "Max": _CREATE_CUSTOM_MAX,
            "Remaining": max(0, _CREATE_CUSTOM_MAX - custom_permission_sets),
        },
    }
    return dict(sorted(out.items()))
