from forum.services import topics


def test_topic_reply_accept_flow_updates_counters(make_user, make_tribe):
    author = make_user("alice")
    helper = make_user("bob")
    tribe = make_tribe("liuliang", "流量管家")
    topic = topics.create_topic(author, tribe, "流量怎么查询", "请问 @bob 怎么查流量？", "流量, 查询")
    reply = topics.create_reply(helper, topic, "发送 CXLL 到 10086")
    topics.accept_answer(author, topic, reply)
    assert topic.solved and topic.accepted_post_id == reply.id
    assert [t.name for t in topic.tags] == ["查询", "流量"]
    assert 'href="/u/bob"' in topic.first_post.body_html
