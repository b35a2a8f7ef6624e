exports.signature = (secret, body) => require('crypto').createHmac('sha256', secret).update(body).digest('hex');
