"""The credential against the constraints of 1EdTech's Open Badges 3.0 AchievementCredential
JSON schema (draft 2019-09), for every property the credential uses.

The official schema file is published at purl.imsglobal.org only, which the test machines
cannot reach; this is the same set of rules, written out for the properties we emit
(required members, types, vocabularies, patterns and formats), and additionalProperties
false wherever the official schema closes an object.
"""

import jsonschema
import pytest

URI = {"type": "string", "format": "uri"}
OB_CONTEXT = r"^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.\d\.\d)*\.json$"
DATE_TIME = {"type": "string", "format": "date-time"}


def typed(name: str) -> dict:
    """An unordered set of IRIs that contains ``name``."""
    return {
        "type": "array",
        "minItems": 1,
        "contains": {"const": name},
        "items": {"type": "string"},
    }


IDENTITY_OBJECT = {
    "type": "object",
    "required": ["type", "hashed", "identityHash", "identityType"],
    "additionalProperties": False,
    "properties": {
        "type": {"const": "IdentityObject"},
        "hashed": {"type": "boolean"},
        "identityHash": {"type": "string"},
        "identityType": {
            "oneOf": [
                {
                    "enum": [
                        "name",
                        "sourcedId",
                        "systemId",
                        "productId",
                        "userName",
                        "accountId",
                        "emailAddress",
                        "nationalIdentityNumber",
                        "isbn",
                        "issn",
                        "lisSourcedId",
                        "oneRosterSourcedId",
                        "sisSourcedId",
                        "ltiContextId",
                        "ltiDeploymentId",
                        "ltiToolId",
                        "ltiPlatformId",
                        "ltiUserId",
                        "identifier",
                    ]
                },
                {"type": "string", "pattern": "(ext:)[a-z|A-Z|0-9|.|-|_]+"},
            ]
        },
        "salt": {"type": "string"},
    },
}
ACHIEVEMENT = {
    "type": "object",
    "required": ["id", "type", "criteria", "description", "name"],
    "properties": {
        "id": URI,
        "type": typed("Achievement"),
        "name": {"type": "string"},
        "description": {"type": "string"},
        "criteria": {
            "type": "object",
            "anyOf": [{"required": ["id"]}, {"required": ["narrative"]}],
            "properties": {"id": URI, "narrative": {"type": "string"}},
        },
    },
}
PROFILE = {
    "type": "object",
    "required": ["id", "type"],
    "properties": {"id": URI, "type": typed("Profile"), "name": {"type": "string"}, "url": URI},
}
ACHIEVEMENT_CREDENTIAL = {
    "$schema": "https://json-schema.org/draft/2019-09/schema",
    "type": "object",
    "required": ["@context", "id", "type", "credentialSubject", "issuer", "validFrom"],
    "properties": {
        "@context": {
            "type": "array",
            "minItems": 2,
            "items": [
                {"const": "https://www.w3.org/ns/credentials/v2"},
                {"type": "string", "pattern": OB_CONTEXT},
            ],
        },
        "id": URI,
        "type": {
            "allOf": [
                typed("VerifiableCredential"),
                {
                    "type": "array",
                    "contains": {"enum": ["AchievementCredential", "OpenBadgeCredential"]},
                },
            ]
        },
        "name": {"type": "string"},
        "issuer": {"oneOf": [URI, PROFILE]},
        "validFrom": DATE_TIME,
        "validUntil": DATE_TIME,
        "credentialSubject": {
            "type": "object",
            "required": ["type", "achievement"],
            "anyOf": [{"required": ["id"]}, {"required": ["identifier"]}],
            "properties": {
                "id": URI,
                "type": typed("AchievementSubject"),
                "identifier": {"type": "array", "items": IDENTITY_OBJECT},
                "achievement": ACHIEVEMENT,
            },
        },
        "credentialStatus": {
            "type": "object",
            "required": ["id", "type"],
            "properties": {"id": URI, "type": {"type": "string"}},
        },
    },
}


def validate(document):
    validator = jsonschema.Draft201909Validator(
        ACHIEVEMENT_CREDENTIAL, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    validator.validate(document)


def test_the_rules_are_a_valid_draft_2019_09_schema():
    jsonschema.Draft201909Validator.check_schema(ACHIEVEMENT_CREDENTIAL)


def test_the_credential_meets_the_schema(client, certificate):
    validate(client.get(f"/verify/{certificate.number}.json").json())


@pytest.mark.parametrize(
    "break_it",
    [
        lambda d: d.pop("validFrom"),
        lambda d: d.__setitem__("@context", ["https://www.w3.org/ns/credentials/v2"]),
        lambda d: d["credentialSubject"]["identifier"][0].__setitem__("identityType", "USCC"),
        lambda d: d["credentialSubject"]["achievement"].pop("criteria"),
        lambda d: d.__setitem__("validUntil", "2027-12-31"),
    ],
)
def test_the_rules_can_fail(client, certificate, break_it):
    document = client.get(f"/verify/{certificate.number}.json").json()
    break_it(document)
    with pytest.raises(jsonschema.ValidationError):
        validate(document)
