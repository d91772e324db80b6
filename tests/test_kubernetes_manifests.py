# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The example Kubernetes manifests (deploy/kubernetes) are valid against
Kubernetes' own schemas (strict: unknown fields are errors), and hold
together: services select their pods, the configuration is one Odoo reads,
and the job runner sends jobs to the worker pods only."""

import configparser
import glob
import os
import shlex

import kubernetes_validate
import yaml

from odoo.tests import BaseCase, tagged

from .common import HERE

MANIFESTS = os.path.join(os.path.dirname(HERE), "deploy", "kubernetes")
KUBERNETES_VERSION = "1.30.0"  # the oldest Kubernetes the manifests claim to work on


def documents():
    """``{(kind, name): document}`` of every manifest."""
    found = {}
    for path in sorted(glob.glob(os.path.join(MANIFESTS, "*.yaml"))):
        with open(path, encoding="utf-8") as handle:
            for document in yaml.safe_load_all(handle):
                if document:
                    found[(document["kind"], document["metadata"]["name"])] = document
    return found


def container(deployment):
    return deployment["spec"]["template"]["spec"]["containers"][0]


def environment(deployment):
    return {item["name"]: item.get("value") for item in container(deployment).get("env", [])}


@tagged("post_install", "-at_install")
class TestKubernetesManifests(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.documents = documents()

    def test_every_manifest_is_valid_against_kubernetes_schemas(self):
        self.assertGreaterEqual(len(self.documents), 8)
        for version in (KUBERNETES_VERSION, kubernetes_validate.latest_version()):
            for (kind, name), document in self.documents.items():
                with self.subTest(kind=kind, name=name, version=version):
                    kubernetes_validate.validate(document, version, strict=True)

    def test_the_schema_check_refuses_a_misspelt_field(self):
        document = self.documents[("Deployment", "odoo-web")]
        broken = yaml.safe_load(yaml.safe_dump(document))
        container(broken)["imagePullPolicyy"] = "Always"
        with self.assertRaises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)

    def test_each_service_selects_the_pods_of_its_deployment(self):
        for (kind, name), service in self.documents.items():
            if kind != "Service":
                continue
            deployment = self.documents[("Deployment", name)]
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            self.assertLessEqual(service["spec"]["selector"].items(), labels.items(), name)
            ports = {port["name"] for port in container(deployment)["ports"]}
            self.assertLessEqual({port["targetPort"] for port in service["spec"]["ports"]}, ports, name)

    def test_only_worker_pods_run_queue_job_and_receive_its_jobs(self):
        web = self.documents[("Deployment", "odoo-web")]
        worker = self.documents[("Deployment", "odoo-worker")]

        def load(deployment):
            for arg in container(deployment)["args"]:
                if arg.startswith("--load="):
                    return set(arg.partition("=")[2].split(","))
            return {"base", "web"}

        self.assertNotIn("queue_job", load(web))
        self.assertIn("queue_job", load(worker))
        self.assertIn("--max-cron-threads=0", container(web)["args"])
        self.assertEqual(environment(worker)["ODOO_QUEUE_JOB_HOST"], "odoo-worker")
        self.assertIn(("Service", "odoo-worker"), self.documents)

    def test_the_configuration_is_one_odoo_reads_and_channels_cover_the_workers(self):
        config_map = self.documents[("ConfigMap", "odoo-config")]
        parser = configparser.ConfigParser()
        parser.read_string(config_map["data"]["odoo.conf"])
        options = parser["options"]
        self.assertEqual(options["validator_scratch_db_host"], "postgres-scratch")
        self.assertIn(("Service", "postgres-scratch"), self.documents)
        self.assertNotIn("db_password", options, "passwords belong in the Secret, not the ConfigMap")
        worker = self.documents[("Deployment", "odoo-worker")]
        workers = next(int(arg.partition("=")[2]) for arg in container(worker)["args"]
                       if arg.startswith("--workers="))
        capacity = int(parser["queue_job"]["channels"].partition(":")[2])
        self.assertEqual(capacity, worker["spec"]["replicas"] * workers)
        for deployment in (worker, self.documents[("Deployment", "odoo-web")]):
            args = shlex.join(container(deployment)["args"])
            self.assertIn("-c /etc/odoo/odoo.conf", args)
            mounts = {mount["name"]: mount["mountPath"] for mount in container(deployment)["volumeMounts"]}
            self.assertEqual(mounts["config"], "/etc/odoo")
            self.assertEqual(mounts["filestore"], options["data_dir"])
