"""bench.metadata's choice of an order of sources (a decision list: the first source a page has decides it)."""
from bench.metadata import learn_order


def test_the_learnt_order_puts_a_precise_source_before_a_broad_one():
    # "broad" is on every page and right on half; "precise" is on a third of them and always right: a decision list
    # that asks "precise" first and falls back to "broad" is right more often than either alone, or than the reverse.
    outcomes = {}
    for i in range(30):
        outcomes[f"p{i}"] = {"broad": i % 2 == 0, **({"precise": True} if i % 3 == 0 else {})}
    order, right = learn_order(outcomes, list(outcomes))
    assert order == ("precise", "broad")
    assert right == sum(1 for i in range(30) if i % 3 == 0 or i % 2 == 0)


def test_a_source_that_is_never_right_is_left_out():
    outcomes = {"a": {"good": True, "bad": False}, "b": {"bad": False}, "c": {"good": False}}
    assert learn_order(outcomes, list(outcomes)) == (("good",), 1)


def test_a_cost_for_values_where_the_truth_has_none_leaves_out_a_source_that_mostly_invents():
    # "loose" is right on two pages but gives a value on five pages whose truth has none (None): worth its place
    # when only right answers count, not when each invented value costs half a right one
    outcomes = {"a": {"loose": True}, "b": {"loose": True}, "c": {"strict": True},
                **{f"none{i}": {"loose": None} for i in range(5)}, "d": {"strict": False, "loose": False}}
    order, score = learn_order(outcomes, list(outcomes))
    assert set(order) == {"strict", "loose"} and score == 3
    assert learn_order(outcomes, list(outcomes), invented_cost=0.5) == (("strict",), 1)
