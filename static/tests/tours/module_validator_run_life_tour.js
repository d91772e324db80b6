/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";
import {openWizardWithCleanExample} from "@module_validator/../tests/tours/module_validator_tour_steps";

/**
 * A run's life without a reload: queued from the wizard, Process now, its
 * progress bar, then the completion notification and the finished report,
 * all pushed by the bus into the page that stayed open.
 */
function finishedNotice() {
    return [...document.querySelectorAll(".o_notification")].some((el) =>
        el.textContent.includes("Validation finished")
    );
}

registry.category("web_tour.tours").add("module_validator_run_life_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Mark this page: a reload would lose the mark",
            trigger: "body",
            run() {
                window.__mvRunLifeTour = true;
            },
        },
        ...openWizardWithCleanExample(),
        {
            content: "Choose the bulletproof level (queued in the background)",
            trigger: ".modal .o_field_widget[name='level'] input[data-value='bulletproof']",
            run: "click",
        },
        {
            content: "Validate",
            trigger: ".modal button[name='action_run']",
            run: "click",
        },
        {
            content: "The run is queued, with a progress bar",
            trigger: ".o_form_view .o_field_widget[name='progress_percent'] .o_progressbar",
        },
        {
            content: "Process now",
            trigger: ".o_form_view .o_form_statusbar button[name='action_process_now']",
            run: "click",
        },
        {
            content: "The queue is asked to start",
            trigger: ".o_notification:contains('Queue started')",
        },
        // A real install in scratch databases may take longer than one step
        // may last (60 s at most): wait over several steps (the first run on a
        // machine also builds the template databases of its closure).
        ...Array.from({length: 12}, (_, index) => index + 1).map((round) => ({
            content: `Wait for the run to finish (${round}/12)`,
            trigger: ".o_form_view",
            timeout: 60000,
            async run() {
                const deadline = Date.now() + 55000;
                while (!finishedNotice() && Date.now() < deadline) {
                    await new Promise((resolve) => setTimeout(resolve, 500));
                }
            },
        })),
        {
            content: "The completion notification arrives on the open page",
            trigger: ".o_notification:contains('Validation finished')",
            timeout: 60000,
        },
        {
            content: "The notification names the run and its verdict",
            trigger: ".o_notification:contains('Validation finished'):contains('Passed')",
        },
        {
            content: "The open report refreshed itself: the module passed",
            trigger: ".o_form_view .o_field_widget[name='result_ids'] td:contains('mv_example_clean')",
        },
        {
            content: "and the run is done, with no Process now button left",
            trigger: ".o_form_view .ribbon:contains('Passed')",
            run() {
                if (!window.__mvRunLifeTour) {
                    throw new Error("the page was reloaded");
                }
                if (document.querySelector(".o_form_view button[name='action_process_now']")) {
                    throw new Error("a finished run still offers Process now");
                }
            },
        },
    ],
});
