"""Routing keys in AWS Secrets Manager: one secret per service, `<prefix><service>`,
tagged as mlcp's, which Alertmanager reads as the file `<mount>/<service>` (the Secrets
Store CSI driver on Kubernetes, or a volume an init step fills on ECS).

Every request is built as data first (`*_request`), so tests check each one against
Secrets Manager's own service model without AWS. A secret under the prefix without
mlcp's tag is someone else's: it is never written, restored or deleted.
"""

from __future__ import annotations

from typing import Any

from controlplane.oncall.keys import KeyStoreError

MANAGED_TAG = "mlcp:managed-by"  # value MANAGED_BY: what prune may delete
MANAGED_BY = "mlcp"
SERVICE_TAG = "mlcp:service"
RECOVERY_DAYS = 7  # a pruned key can be restored for a week (restore_secret)
MISSING = "ResourceNotFoundException"


def tags(service: str) -> list[dict[str, str]]:
    return [{"Key": MANAGED_TAG, "Value": MANAGED_BY}, {"Key": SERVICE_TAG, "Value": service}]


def create_request(name: str, service: str, key: str, kms_key_id: str | None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "Name": name,
        "Description": f"PagerDuty Events API v2 routing key of {service}, kept by mlcp apply",
        "SecretString": key,
        "Tags": tags(service),
    }
    if kms_key_id:
        request["KmsKeyId"] = kms_key_id
    return request


def put_request(name: str, key: str) -> dict[str, Any]:
    return {"SecretId": name, "SecretString": key}


def delete_request(name: str) -> dict[str, Any]:
    return {"SecretId": name, "RecoveryWindowInDays": RECOVERY_DAYS}


def list_request(prefix: str) -> dict[str, Any]:
    """Secrets whose name begins with `prefix` and that carry mlcp's tag key (the filter
    is case-insensitive and pairs no key with a value: `is_ours` decides)."""
    return {
        "Filters": [
            {"Key": "name", "Values": [prefix]},
            {"Key": "tag-key", "Values": [MANAGED_TAG]},
        ]
    }


def is_ours(secret: dict[str, Any]) -> bool:
    return {"Key": MANAGED_TAG, "Value": MANAGED_BY} in (secret.get("Tags") or [])


class SecretsManagerKeys:
    def __init__(self, session: Any, prefix: str, kms_key_id: str | None) -> None:
        self.session, self.prefix, self.kms_key_id = session, prefix, kms_key_id
        self.client = session.client("secretsmanager")

    @classmethod
    def connect(cls, region: str, prefix: str, kms_key_id: str | None) -> SecretsManagerKeys:
        import boto3

        return cls(boto3.session.Session(region_name=region), prefix, kms_key_id)

    def name(self, service: str) -> str:
        return self.prefix + service

    def where(self, service: str) -> str:
        return f"secret {self.name(service)}"

    def read(self, service: str) -> str | None:
        described = self._describe(service)
        if described is None or described.get("DeletedDate"):
            return None
        answer = self._call("get_secret_value", {"SecretId": self.name(service)})
        return str(answer.get("SecretString", ""))

    def write(self, service: str, key: str) -> bool:
        name = self.name(service)
        described = self._describe(service)
        if described is None:
            self._call("create_secret", create_request(name, service, key, self.kms_key_id))
            return True
        if not is_ours(described):
            raise KeyStoreError(
                f"secret {name} exists without the tag {MANAGED_TAG}={MANAGED_BY}: "
                "it is not mlcp's and is left alone; remove it or change routing_keys.prefix"
            )
        if described.get("DeletedDate"):  # pruned, and wanted again within its recovery window
            self._call("restore_secret", {"SecretId": name})
        elif self._call("get_secret_value", {"SecretId": name}).get("SecretString") == key:
            return False  # described above already: no second DescribeSecret
        self._call("put_secret_value", put_request(name, key))
        return True

    def remove(self, service: str) -> bool:
        described = self._describe(service)
        if described is None or described.get("DeletedDate") or not is_ours(described):
            return False
        self._call("delete_secret", delete_request(self.name(service)))
        return True

    def managed(self) -> list[str]:
        found: list[str] = []
        request = list_request(self.prefix)
        while True:
            page = self._call("list_secrets", request)
            for secret in page.get("SecretList", []):
                name = str(secret.get("Name", ""))
                if name.startswith(self.prefix) and is_ours(secret):
                    found.append(name.removeprefix(self.prefix))
            if not page.get("NextToken"):
                return sorted(found)
            request = {**list_request(self.prefix), "NextToken": page["NextToken"]}

    def check(self) -> str:
        """Credentials and region resolve, the prefix can be listed, the KMS key is usable.
        Whether the caller may create, put and delete secrets is known only by doing so."""
        region = self.client.meta.region_name
        try:
            return self._check(region)
        except KeyStoreError as error:
            raise KeyStoreError(
                f"cannot keep routing keys in Secrets Manager ({self.prefix}* in {region}): {error}"
            ) from None

    def _check(self, region: str) -> str:
        sts = self.session.client("sts")
        who = self._call("get_caller_identity", {}, sts, what="AWS credentials")
        self._call("list_secrets", {**list_request(self.prefix), "MaxResults": 1})
        line = f"routing keys: Secrets Manager {self.prefix}* in {region}, as {who['Arn']}"
        if self.kms_key_id:
            kms = self.session.client("kms")
            about = self._call("describe_key", {"KeyId": self.kms_key_id}, kms, what="KMS")
            key = about["KeyMetadata"]
            if key.get("KeyState") != "Enabled":
                raise KeyStoreError(
                    f"KMS key {self.kms_key_id} is {key.get('KeyState')}: "
                    "Secrets Manager cannot encrypt routing keys with it"
                )
            line += f", encrypted with {key['Arn']}"
        return line

    def _describe(self, service: str) -> dict[str, Any] | None:
        try:
            return self._call("describe_secret", {"SecretId": self.name(service)})
        except _Missing:
            return None

    def _call(
        self, operation: str, request: dict[str, Any], client: Any = None, what: str = ""
    ) -> dict[str, Any]:
        """One request; a failure becomes one line naming it (and never the key)."""
        from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

        client = client or self.client
        try:
            answer: dict[str, Any] = getattr(client, operation)(**request)
        except ClientError as error:
            details = error.response.get("Error", {})
            code = details.get("Code", "")
            if code == MISSING and operation == "describe_secret":
                raise _Missing from None
            named = [request.get(k) for k in ("SecretId", "Name", "KeyId")]
            target = next((str(n) for n in named if n), "" if what else f"{self.prefix}*")
            head = " ".join(w for w in (what or "Secrets Manager", operation, target) if w)
            message = " ".join(str(details.get("Message", "")).split())  # one line
            raise KeyStoreError(f"{head}: {code}: {message}".rstrip(": ")) from None
        except BotoCoreError as error:
            raise KeyStoreError(f"{what or 'Secrets Manager'} {operation}: {error}") from None
        return answer


class _Missing(Exception):
    pass
