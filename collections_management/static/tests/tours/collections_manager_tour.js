/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A collections manager edits the shipped policy in French: adds a level
 * between two others, then moves its day. The levels stay in the order of
 * their days and the policy's chatter tells each change.
 */
registry.category("web_tour.tours").add("collections_manager_policy_fr", {
    steps: () => [
        {
            content: "Open the shipped policy",
            trigger: ".o_data_row td[name=name]:contains(Standard)",
            run: "click",
        },
        {
            content: "The levels come first",
            trigger: ".o_notebook .nav-link.active:contains(Niveaux)",
        },
        {
            content: "Add a level",
            trigger: "div[name=level_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Its name",
            trigger: ".modal div[name=name] input",
            run: "edit Rappel J+14",
        },
        {
            content: "Its day",
            trigger: ".modal div[name=trigger_days] input",
            run: "edit 14",
        },
        {
            content: "Keep the level",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "Save the policy",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The new level stands between the first and the second reminder",
            trigger:
                "div[name=level_ids] .o_data_row:nth-child(3) td[name=name]:contains(Rappel J+14)",
        },
        {
            content: "Open the new level",
            trigger: "div[name=level_ids] .o_data_row td[name=name]:contains(Rappel J+14)",
            run: "click",
        },
        {
            content: "Move it to day 28",
            trigger: ".modal div[name=trigger_days] input",
            run: "edit 28",
        },
        {
            content: "Keep the change",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "Save the policy",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The level moved after the second reminder",
            trigger:
                "div[name=level_ids] .o_data_row:nth-child(4) td[name=name]:contains(Rappel J+14)",
        },
        {
            content: "The chatter tells the change, under the level's name",
            trigger: ".o-mail-Message:contains(Rappel J+14):contains(28)",
        },
    ],
});

/** The administrator sets the promises' grace period in the settings. */
registry.category("web_tour.tours").add("collections_admin_settings", {
    steps: () => [
        {
            content: "The collections settings are shown",
            trigger: ".app_settings_block[data-key=collections_management]",
        },
        {
            content: "Five days of grace for promises",
            trigger: "div[name=collection_promise_grace_days] input",
            run: "edit 5",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: no change left unsaved",
            trigger: ".o-settings-form-view:not(:has(.o_dirty_warning)) .app_settings_block",
        },
    ],
});
