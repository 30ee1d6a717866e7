from suite import core_tests, runtime


def test_only_the_failures_new_with_our_add_ons_count():
    base = {"TestA.test_x", "TestB.test_y"}
    ours = {"TestB.test_y", "TestSaleOrderCreditLimit.test_credit_limit_multicurrency"}
    assert core_tests.failing_only_with_ours(base, ours) == [
        "TestSaleOrderCreditLimit.test_credit_limit_multicurrency"
    ]
    assert core_tests.failing_only_with_ours(ours, ours) == []


def test_failure_lines_name_the_test():
    line = "ERROR: TestSaleOrderCreditLimit.test_credit_limit_multicurrency"
    assert core_tests.FAILED.match(line)["test"] == (
        "TestSaleOrderCreditLimit.test_credit_limit_multicurrency"
    )
    assert not core_tests.FAILED.match("Starting TestX.test_y ...")


def test_the_baseline_installs_what_our_add_ons_need_but_not_them():
    needed = core_tests.our_dependencies()
    assert {"account", "sale_management", "website", "account_payment"} <= set(needed)
    assert not set(needed) & set(runtime.ADDONS)
