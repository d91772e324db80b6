# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The shortcuts of the whole-tree static run keep every finding.

- Pass 2 of engine/parallel.py hands each worker a region of the sorted module
  names and lets a worker that is done take from the back of the fullest
  region: every module must be validated exactly once, whatever the order in
  which the workers ask.
- A rule may skip the XML files whose text lacks the word it looks for
  (ModuleIndex.xml_mentions); a file that spells the word with a character
  reference must still be searched.
"""

import multiprocessing
import os
import shutil

from odoo.tests import BaseCase, tagged

from ..engine import discovery, parallel
from ..engine.facts import StaticFacts
from ..engine.runner import validate
from .common import FIXTURES, scratch_folder


@tagged("post_install", "-at_install")
class TestRegions(BaseCase):

    def draw(self, count, jobs, order):
        """The indexes each region gets when the workers ask in ``order`` (region numbers)."""
        parallel._STATE["bounds"] = multiprocessing.get_context("fork").Array(
            "l", parallel.regions(count, jobs))
        try:
            drawn = {region: [] for region in range(jobs)}
            for region in order:
                at = parallel._next_module(region)
                if at is not None:
                    drawn[region].append(at)
            return drawn
        finally:
            parallel._STATE.clear()

    def test_regions_are_contiguous_and_cover_every_name(self):
        self.assertEqual(parallel.regions(10, 3), [0, 3, 3, 6, 6, 10])
        self.assertEqual(parallel.regions(1, 2), [0, 0, 0, 1])

    def test_a_worker_takes_its_region_from_the_front(self):
        drawn = self.draw(8, 2, [0, 1, 0, 1])
        self.assertEqual(drawn, {0: [0, 1], 1: [4, 5]})

    def test_a_done_worker_takes_from_the_back_of_the_fullest_region(self):
        # Region 0 holds 0..3 and region 1 holds 4..8: once region 0 is done,
        # its worker takes 8, 7... while region 1's worker goes on from 4.
        drawn = self.draw(9, 2, [0, 0, 0, 0, 1, 0, 0, 1])
        self.assertEqual(drawn, {0: [0, 1, 2, 3, 8, 7], 1: [4, 5]})

    def test_every_name_is_drawn_once_in_any_order(self):
        for jobs, order in ((2, [1] * 40), (3, [0, 2] * 20), (4, [3, 3, 0, 1, 2] * 10)):
            drawn = self.draw(23, jobs, order)
            indexes = sorted(at for ats in drawn.values() for at in ats)
            self.assertEqual(indexes, list(range(23)), (jobs, order))


@tagged("post_install", "-at_install")
class TestXmlHints(BaseCase):

    def setUp(self):
        super().setUp()
        self.addons = scratch_folder(self, "mv_hints_")
        shutil.copytree(os.path.join(FIXTURES, "mvt_view007"), os.path.join(self.addons, "mvt_view007"))
        self.view_file = os.path.join(self.addons, "mvt_view007", "views", "partner_views.xml")

    def spell(self, old, new):
        with open(self.view_file, encoding="utf-8") as handle:
            text = handle.read()
        with open(self.view_file, "w", encoding="utf-8") as handle:
            handle.write(text.replace(old, new))

    def view007_lines(self):
        addons_paths, core_paths = discovery.odoo_paths()
        catalog = discovery.discover([self.addons, *addons_paths], core_paths=core_paths)
        report = validate([catalog.get("mvt_view007")], StaticFacts(catalog), "static", version="test")
        return [finding.line for finding in report.modules[0].findings if finding.rule == "VIEW007"]

    def test_a_plain_mention_is_found(self):
        self.assertEqual(self.view007_lines(), [9])

    def test_a_mention_through_a_character_reference_is_found(self):
        self.spell("'tree_view_ref'", "'tree&#95;view_ref'")
        self.assertEqual(self.view007_lines(), [9])

    def test_a_file_without_the_word_is_clean(self):
        self.spell("tree_view_ref", "list_view_ref")
        self.assertEqual(self.view007_lines(), [])
