"""`mlcp apply`: from a clean, built checkout to PagerDuty and the Pulumi stack, in order."""
